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

describe('retries.own_backoff: the gateway’s own wait where no usable delay was named', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `o${i}`)
  const firstRetries = (gap: (i: number) => number, over = {}) =>
    run(
      ids.map((id) => rec(id)),
      ids.flatMap((id, i) => [
        att(id, 1, i * 100, { status: 503, durationMs: 5, ...over }),
        att(id, 2, i * 100 + 5 + gap(i)),
      ]),
      { expect: { 'retries.own_backoff': 'p(50) >= 20ms' } },
    )

  it('immediate retries after garbage (journal: no wait) fail; a real backoff passes', () => {
    expect(
      check(
        firstRetries(() => 2),
        'retries.own_backoff',
      ),
    ).toMatchObject({ verdict: 'fail', value: 2 })
    expect(
      check(
        firstRetries((i) => 10 + i * 10),
        'retries.own_backoff',
      ),
    ).toMatchObject({ verdict: 'pass' })
  })

  it('gaps after an answer with a usable Retry-After, or a failover, are not the gateway’s own', () => {
    expect(
      check(
        firstRetries(() => 2, { retryAfterMs: 0 }),
        'retries.own_backoff',
      ).verdict,
    ).not.toBe('fail')
    const failover = run(
      [rec('x')],
      [att('x', 1, 0, { status: 503, durationMs: 5 }), att('x', 2, 6, { upstream: 'secondary', upstreamAttempt: 1 })],
      { ...twoUpstreams, expect: { 'retries.own_backoff': 'p(50) >= 20ms' } },
    )
    expect(check(failover, 'retries.own_backoff').value).toBeNull()
  })
})
