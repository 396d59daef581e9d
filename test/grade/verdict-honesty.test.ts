import { describe, expect, it } from 'vitest'
import { grade } from '../../src/grade/grade.js'
import { att, failed, rec, run } from './builders.js'

function check(data: ReturnType<typeof run>, key: string) {
  const c = grade(data).checks.find((x) => x.key === key)
  if (!c) throw new Error(`no check ${key}`)
  return c
}

/** A reset before headers, then `retries` retries 250 ms apart, each sent without its body (Caddy 2.6). */
function bodilessRetries(id: string, at: number, retries: number) {
  return [
    att(id, 1, at, { status: null, endedBy: 'reset', rule: '0', faults: ['reset'] }),
    ...Array.from({ length: retries }, (_, i) =>
      att(id, i + 2, at + 250 * (i + 1), {
        status: null,
        endedBy: 'client',
        clientDisconnected: true,
        bytes: 0,
        model: null,
        requestBody: 'incomplete',
      }),
    ),
  ]
}

describe('a retry counts only when it carried the request', () => {
  it('transient_retried fails when every retry came without its body, and says so', () => {
    const ids = ['a', 'b', 'c']
    const data = run(
      ids.map((id) => failed(id, 502, { errorBody: null, bodyHead: '' })),
      ids.flatMap((id, i) => bodilessRetries(id, i * 100, 3)),
    )
    const c = check(data, 'retries.transient_retried')
    expect(c).toMatchObject({ verdict: 'fail', value: 0 })
    expect(c.evidence).toContain('0 of 3 transient failures retried')
    expect(c.evidence).toContain('9 retries carried no request body')
  })

  it('an empty or unreadable retry does not count; one with the request after it does', () => {
    const data = run(
      [rec('e'), rec('i'), rec('late')],
      [
        att('e', 1, 0, { status: 503, faults: ['error'], rule: '0' }),
        att('e', 2, 100, { status: 400, errorType: 'invalid_request_error', requestBody: 'empty' }),
        att('i', 1, 0, { status: 503, faults: ['error'], rule: '0' }),
        att('i', 2, 100, { status: 400, errorType: 'invalid_request_error', requestBody: 'invalid' }),
        att('late', 1, 0, { status: 503, faults: ['error'], rule: '0' }),
        att('late', 2, 100, { requestBody: 'empty', status: 400 }),
        att('late', 3, 200, { requestBody: 'ok' }),
      ],
    )
    const c = check(data, 'retries.transient_retried')
    expect(c.value).toBeCloseTo(1 / 3)
    expect(c.examples.map((x) => x.id)).toEqual(['e', 'i'])
  })

  it('journals saved before the field existed read as carrying the request', () => {
    const retry = att('old', 2, 100)
    delete retry.requestBody
    const data = run([rec('old')], [att('old', 1, 0, { status: 503, faults: ['error'], rule: '0' }), retry])
    expect(check(data, 'retries.transient_retried')).toMatchObject({ verdict: 'pass', value: 1 })
  })

  it('attempts without a body still count as load (amplification, max_attempts)', () => {
    const data = run([failed('a', 502)], bodilessRetries('a', 0, 3), { expect: { 'retries.amplification': '<= 5' } })
    expect(check(data, 'retries.amplification')).toMatchObject({ value: 4 })
    expect(check(data, 'retries.amplification').evidence).toContain('3 carried no request body')
    expect(check(data, 'retries.max_attempts')).toMatchObject({ value: 4 })
  })
})

describe('failover with an upstream whose attempts brownout cannot see', () => {
  const refusing = { upstreams: { primary: { refuse_connections: true }, fallback: {} } }
  const onFallback = (id: string, attempt: number, atMs: number) =>
    att(id, attempt, atMs, { upstream: 'fallback', status: 503, faults: ['error'], rule: '0' })

  it('retries seen on the fallback alone are no evidence: a refused attempt may lie between them', () => {
    // Caddy: fallback, then (refused primary, invisible), then fallback again, 500 ms later.
    const data = run(
      [failed('a', 502), failed('b', 502)],
      [onFallback('a', 1, 0), onFallback('a', 2, 500), onFallback('b', 1, 10), onFallback('b', 2, 510)],
      refusing,
    )
    const c = check(data, 'retries.failover')
    expect(c.verdict).toBe('no-evidence')
    expect(c.evidence).toContain('2 retries stayed on the same upstream as seen')
    expect(c.evidence).toContain('primary')
  })

  it('a retry seen moving counts; with no refusing upstream, staying is still a failure', () => {
    const three = { upstreams: { primary: { refuse_connections: true }, second: {}, third: {} } }
    const moved = run(
      [rec('m')],
      [att('m', 1, 0, { upstream: 'second', status: 503 }), att('m', 2, 100, { upstream: 'third' })],
      three,
    )
    expect(check(moved, 'retries.failover')).toMatchObject({ verdict: 'pass', value: 1 })
    const visible = { upstreams: { primary: {}, fallback: {} } }
    const stayed = run([failed('s', 503)], [onFallback('s', 1, 0), onFallback('s', 2, 500)], visible)
    expect(check(stayed, 'retries.failover')).toMatchObject({ verdict: 'fail', value: 0 })
  })
})

describe('evidence that does not hide the point', () => {
  it('errors_well_formed names the hangs it does not judge', () => {
    const hung = Array.from({ length: 10 }, (_, i) => rec(`h${i}`, { outcome: 'timeout', status: null, text: null }))
    const none = check(run(hung, []), 'client.errors_well_formed')
    expect(none.verdict).toBe('no-evidence')
    expect(none.evidence).toBe('no failure besides 10 hangs (see client.hung)')
    const some = check(run([...hung.slice(0, 2), failed('f', 503)], []), 'client.errors_well_formed')
    expect(some.evidence).toBe('1 of 1 failures well formed; not judged: 2 hangs (see client.hung)')
  })

  it('latency says how many requests are not in its sample; max_attempts how many reached an upstream', () => {
    const data = run([rec('a'), failed('b', 503), rec('c', { outcome: 'timeout', status: null })], [att('a', 1, 0)], {
      expect: { 'client.latency': 'p(95) < 1s' },
    })
    expect(check(data, 'client.latency').evidence).toBe(
      '1 successful requests (the 2 failures and hangs are not in it)',
    )
    expect(check(data, 'retries.max_attempts').evidence).toBe('1 of 3 sent requests reached an upstream')
  })
})
