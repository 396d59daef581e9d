import { describe, expect, it } from 'vitest'
import { grade } from '../../src/grade/grade.js'
import { att, rec, run } from './builders.js'

function check(data: ReturnType<typeof run>, key: string) {
  const c = grade(data).checks.find((x) => x.key === key)
  if (!c) throw new Error(`no check ${key}`)
  return c
}

const twoUpstreams = { upstreams: { primary: {}, secondary: {} } }

describe('retries.retry_after_honored judges the wait before returning to the same upstream', () => {
  it('a failover right after a 429 owes the other upstream no wait', () => {
    const data = run(
      [rec('f')],
      [
        att('f', 1, 0, { status: 429, retryAfterMs: 1000, durationMs: 5 }),
        att('f', 2, 10, { upstream: 'secondary', upstreamAttempt: 1 }),
      ],
      twoUpstreams,
    )
    expect(check(data, 'retries.retry_after_honored').verdict).not.toBe('fail')
  })

  it('coming back to the upstream that asked for 1 s after 200 ms is early, even with a failover between', () => {
    const early = run(
      [rec('b')],
      [
        att('b', 1, 0, { status: 429, retryAfterMs: 1000, durationMs: 5 }),
        att('b', 2, 10, { upstream: 'secondary', upstreamAttempt: 1, status: 503, durationMs: 5 }),
        att('b', 3, 205, { upstreamAttempt: 2 }),
      ],
      twoUpstreams,
    )
    expect(check(early, 'retries.retry_after_honored')).toMatchObject({ verdict: 'fail', value: 0 })
    const patient = run(
      [rec('b')],
      [
        att('b', 1, 0, { status: 429, retryAfterMs: 1000, durationMs: 5 }),
        att('b', 2, 10, { upstream: 'secondary', upstreamAttempt: 1, status: 503, durationMs: 5 }),
        att('b', 3, 1010, { upstreamAttempt: 2 }),
      ],
      twoUpstreams,
    )
    expect(check(patient, 'retries.retry_after_honored')).toMatchObject({ verdict: 'pass', value: 1 })
  })

  it('a retry after an answer with no usable delay (journal null) is not judged as ignoring one', () => {
    const data = run([rec('g')], [att('g', 1, 0, { status: 429, retryAfterMs: null, durationMs: 5 }), att('g', 2, 3)])
    expect(check(data, 'retries.retry_after_honored').verdict).not.toBe('fail')
  })
})
