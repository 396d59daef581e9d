import { describe, expect, it } from 'vitest'
import { grade } from '../../src/grade/grade.js'
import { parseThreshold } from '../../src/grade/threshold.js'
import { att, expected, failed, fault503, rec, run } from './builders.js'

function check(data: ReturnType<typeof run>, key: string) {
  const c = grade(data).checks.find((x) => x.key === key)
  if (!c) throw new Error(`no check ${key}`)
  return c
}

const withExpect = (expect: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ expect, ...extra })

describe('threshold grammar', () => {
  it('parses comparisons, percentiles and durations', () => {
    expect(parseThreshold('>= 0.99')).toMatchObject({ op: '>=', value: 0.99, stat: { kind: 'value' } })
    expect(parseThreshold('p(99) < 2s')).toMatchObject({ op: '<', value: 2000, stat: { kind: 'p', q: 99 } })
    expect(parseThreshold('avg <= 300ms')).toMatchObject({ op: '<=', value: 300, stat: { kind: 'avg' } })
    expect(parseThreshold(3)).toMatchObject({ op: '>=', value: 3 })
    expect(parseThreshold('about 3')).toContain('is not a threshold')
  })
})

describe('client checks', () => {
  it('success_rate: pass, fail, and no evidence when nothing was sent', () => {
    const ok = run([rec('a'), rec('b')], [], withExpect({ 'client.success_rate': '>= 0.99' }))
    expect(check(ok, 'client.success_rate')).toMatchObject({ verdict: 'pass', value: 1 })
    const bad = run([rec('a'), failed('b', 503)], [], withExpect({ 'client.success_rate': '>= 0.99' }))
    expect(check(bad, 'client.success_rate')).toMatchObject({ verdict: 'fail', value: 0.5, failsRun: true })
    expect(check(bad, 'client.success_rate').examples[0]?.id).toBe('b')
    const none = run(
      [rec('a', { outcome: 'not-sent', status: null })],
      [],
      withExpect({ 'client.success_rate': '>= 0.99' }),
    )
    expect(check(none, 'client.success_rate')).toMatchObject({ verdict: 'no-evidence', failsRun: true })
  })

  it('latency: the percentile the threshold names', () => {
    const records = Array.from({ length: 100 }, (_, i) => rec(`r${i}`, { latencyMs: i + 1 }))
    expect(check(run(records, [], withExpect({ 'client.latency': 'p(99) < 100ms' })), 'client.latency')).toMatchObject({
      verdict: 'pass',
      value: 99,
    })
    expect(check(run(records, [], withExpect({ 'client.latency': 'p(50) < 40ms' })), 'client.latency')).toMatchObject({
      verdict: 'fail',
      value: 50,
    })
    expect(check(run(records, [], withExpect({ 'client.latency': 'max < 100ms' })), 'client.latency')).toMatchObject({
      verdict: 'fail',
      value: 100,
    })
  })

  it('hung counts requests that hit the client deadline', () => {
    const data = run([rec('a'), rec('b', { outcome: 'timeout', status: null })], [])
    expect(check(data, 'client.hung')).toMatchObject({ verdict: 'fail', value: 1 })
  })

  it('errors_well_formed: an HTML error page, a reset and a malformed 200 are not well formed', () => {
    const html = failed('a', 502, { errorBody: { wellFormed: false, type: null, contentType: 'text/html' } })
    const reset = rec('b', { outcome: 'network-error', status: null, error: 'ECONNRESET', text: null })
    const malformed = rec('c', { bodyError: 'invalid-json', text: null })
    const good = failed('d', 503)
    expect(check(run([html, reset, malformed, good], []), 'client.errors_well_formed')).toMatchObject({
      verdict: 'fail',
      value: 0.25,
    })
    expect(check(run([good], []), 'client.errors_well_formed')).toMatchObject({ verdict: 'pass', value: 1 })
    expect(check(run([rec('e')], []), 'client.errors_well_formed').verdict).toBe('no-evidence')
  })

  it('truncated_success: an exact comparison against the deterministic answer', () => {
    const full = expected('t1')
    const cut = rec('t1', { text: full.slice(0, 20), terminal: false })
    expect(check(run([cut, rec('t2')], []), 'client.truncated_success')).toMatchObject({ verdict: 'fail', value: 1 })
    expect(check(run([cut], []), 'client.truncated_success').examples[0]?.id).toBe('t1')
    expect(check(run([rec('t3')], []), 'client.truncated_success')).toMatchObject({ verdict: 'pass', value: 0 })
  })

  it('truncated_success uses max_tokens: an answer cut by max_tokens is complete', () => {
    const short = rec('mt', { maxTokens: 5, text: expected('mt', 5), finishReason: 'length' })
    expect(check(run([short], []), 'client.truncated_success').value).toBe(0)
  })

  it('duplicated_content: a spliced retry repeats the beginning of the answer', () => {
    const full = expected('d1')
    const spliced = rec('d1', { text: full.slice(0, 30) + full })
    expect(check(run([spliced], []), 'client.duplicated_content')).toMatchObject({ verdict: 'fail', value: 1 })
    expect(check(run([spliced], []), 'client.truncated_success').value).toBe(0)
  })
})

describe('retry checks', () => {
  it('fatal_retried: a 400 retried is caught; a 400 not retried passes; no fatal answer is no evidence', () => {
    const retried = run([failed('f', 400)], [att('f', 1, 0, { status: 400 }), att('f', 2, 100, { status: 400 })])
    expect(check(retried, 'retries.fatal_retried')).toMatchObject({ verdict: 'fail', value: 1 })
    const once = run([failed('f', 400)], [att('f', 1, 0, { status: 400 })])
    expect(check(once, 'retries.fatal_retried')).toMatchObject({ verdict: 'pass', value: 0 })
    expect(check(run([rec('x')], [att('x', 1, 0)]), 'retries.fatal_retried').verdict).toBe('no-evidence')
  })

  it('fatal_retried treats a quota 429 as fatal', () => {
    const data = run(
      [failed('q', 429)],
      [att('q', 1, 0, { status: 429, faults: ['quota'] }), att('q', 2, 500, { status: 429, faults: ['quota'] })],
    )
    expect(check(data, 'retries.fatal_retried').verdict).toBe('fail')
  })

  it('transient_retried: a 503 passed on without retry fails; a reset before headers counts as transient', () => {
    expect(check(run([failed('t', 503)], [fault503('t', 1, 0)]), 'retries.transient_retried')).toMatchObject({
      verdict: 'fail',
      value: 0,
    })
    const retried = run(
      [rec('t')],
      [att('t', 1, 0, { status: null, endedBy: 'reset', faults: ['reset'] }), att('t', 2, 300)],
    )
    expect(check(retried, 'retries.transient_retried')).toMatchObject({ verdict: 'pass', value: 1 })
  })

  it('transient_retried ignores a Retry-After longer than the client deadline (failing fast is right)', () => {
    const data = run(
      [failed('l', 429)],
      [att('l', 1, 0, { status: 429, retryAfterMs: 120_000, faults: ['rate-limit'] })],
    )
    expect(check(data, 'retries.transient_retried').verdict).toBe('no-evidence')
  })

  it('max_attempts: the largest count of attempts for one request', () => {
    const journal = [
      fault503('m', 1, 0),
      fault503('m', 2, 100),
      fault503('m', 3, 200),
      fault503('m', 4, 300),
      fault503('m', 5, 400),
      att('m', 6, 500),
    ]
    expect(check(run([rec('m')], journal), 'retries.max_attempts')).toMatchObject({ verdict: 'fail', value: 6 })
  })

  it('retry_after_honored: a retry 100 ms after "Retry-After: 1s" is early', () => {
    const early = run(
      [rec('r')],
      [att('r', 1, 0, { status: 429, retryAfterMs: 1000, durationMs: 5 }), att('r', 2, 105)],
    )
    expect(check(early, 'retries.retry_after_honored')).toMatchObject({ verdict: 'fail', value: 0 })
    const patient = run(
      [rec('r')],
      [att('r', 1, 0, { status: 429, retryAfterMs: 1000, durationMs: 5 }), att('r', 2, 1010)],
    )
    expect(check(patient, 'retries.retry_after_honored')).toMatchObject({ verdict: 'pass', value: 1 })
  })

  it('retry_after_honored tolerates skew up to 50 ms between the attempt records', () => {
    const data = run(
      [rec('s')],
      [att('s', 1, 0, { status: 429, retryAfterMs: 1000, durationMs: 10 }), att('s', 2, 965)],
    )
    expect(check(data, 'retries.retry_after_honored').verdict).toBe('pass')
  })

  it('jitter: identical first-retry gaps have no spread; random gaps do', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `j${i}`)
    const fixed = run(
      ids.map((id) => rec(id)),
      ids.flatMap((id, i) => [fault503(id, 1, i * 1000, { durationMs: 10 }), att(id, 2, i * 1000 + 110)]),
    )
    expect(check(fixed, 'retries.jitter')).toMatchObject({ verdict: 'fail', value: 0 })
    const spread = run(
      ids.map((id) => rec(id)),
      ids.flatMap((id, i) => [
        fault503(id, 1, i * 1000, { durationMs: 10 }),
        att(id, 2, i * 1000 + 10 + ((i * 37) % 200)),
      ]),
    )
    expect(check(spread, 'retries.jitter').verdict).toBe('pass')
    expect(check(run([rec('x')], [att('x', 1, 0)]), 'retries.jitter').verdict).toBe('no-evidence')
  })

  it('backoff_growth: the second gap should not be shorter than the first', () => {
    // Ten requests: growth is judged on at least ten second retries.
    const ids = Array.from({ length: 10 }, (_, i) => `b${i}`)
    const shrinking = run(
      ids.map((id) => rec(id)),
      ids.flatMap((id, i) => [
        fault503(id, 1, i * 5000, { durationMs: 0 }),
        fault503(id, 2, i * 5000 + 400, { durationMs: 0 }),
        att(id, 3, i * 5000 + 500),
      ]),
    )
    expect(check(shrinking, 'retries.backoff_growth')).toMatchObject({ verdict: 'fail', value: 0.25 })
  })

  it('failover: retries on the same upstream when another exists', () => {
    const scenario = { upstreams: { primary: {}, secondary: {} } }
    const same = run([rec('f')], [fault503('f', 1, 0), att('f', 2, 100)], scenario)
    expect(check(same, 'retries.failover')).toMatchObject({ verdict: 'fail', value: 0 })
    const moved = run([rec('f')], [fault503('f', 1, 0), att('f', 2, 100, { upstream: 'secondary' })], scenario)
    expect(check(moved, 'retries.failover')).toMatchObject({ verdict: 'pass', value: 1 })
  })

  it('amplification: attempts per request, scoped to a phase', () => {
    const scenario = {
      phases: [
        { name: 'calm', duration: 1000 },
        { name: 'storm', duration: 1000 },
      ],
      expect: { 'retries.amplification[storm]': '<= 1.2' },
    }
    const records = [rec('a', { phase: 'calm' }), rec('b', { phase: 'storm', intendedAt: 1000 })]
    const journal = [att('a', 1, 0), fault503('b', 1, 1000), fault503('b', 2, 1100), att('b', 3, 1200)]
    expect(check(run(records, journal, scenario), 'retries.amplification[storm]')).toMatchObject({
      verdict: 'fail',
      value: 3,
    })
  })

  it('a request is graded in the phase its first attempt reached the upstream in, else the one it was scheduled in', () => {
    const scenario = {
      phases: [
        { name: 'normal', duration: 500 },
        { name: 'exhausted', duration: 1500 },
      ],
      expect: { 'client.success_rate[normal]': '>= 0.99', 'client.success_rate[exhausted]': '<= 0.5' },
    }
    // 'late' was scheduled at 400 ms (normal) but reached the upstream at 520 ms, in the quota window, and failed;
    // 'lost' never reached an upstream: the schedule says where it belongs.
    const records = [
      rec('early', { phase: 'normal', intendedAt: 0 }),
      failed('late', 429, { phase: 'normal', intendedAt: 400 }),
      failed('lost', 502, { phase: 'exhausted', intendedAt: 600 }),
    ]
    const journal = [att('early', 1, 0), att('late', 1, 520, { status: 429, faults: ['quota'], rule: '0' })]
    const data = run(records, journal, scenario)
    expect(check(data, 'client.success_rate[normal]')).toMatchObject({ verdict: 'pass', value: 1 })
    expect(check(data, 'client.success_rate[exhausted]')).toMatchObject({ verdict: 'pass', value: 0 })
  })
})

describe('breaker, recovery, overload, SUT and faults', () => {
  const phases = [
    { name: 'outage', duration: 2000 },
    { name: 'after', duration: 2000 },
  ]

  it('breaker.outage_attempt_ratio: attempts per request in the second half of the fault phase', () => {
    const records = Array.from({ length: 20 }, (_, i) => failed(`o${i}`, 503, { phase: 'outage', intendedAt: i * 100 }))
    const storm = records.flatMap((r) => [
      fault503(r.id, 1, r.intendedAt),
      fault503(r.id, 2, r.intendedAt + 10),
      fault503(r.id, 3, r.intendedAt + 20),
    ])
    const data = run(records, storm, { phases, expect: { 'breaker.outage_attempt_ratio': '<= 0.2' } })
    expect(check(data, 'breaker.outage_attempt_ratio')).toMatchObject({ verdict: 'fail', value: 3 })
  })

  it('recovery.seconds: time after the fault phase until failures stop; still failing at the end is a lower bound', () => {
    const records = [
      failed('a', 503, { phase: 'outage', intendedAt: 1500 }),
      failed('b', 503, { phase: 'after', intendedAt: 2500 }),
      rec('c', { phase: 'after', intendedAt: 3000 }),
    ]
    const journal = [fault503('a', 1, 1500), att('c', 1, 3000)]
    expect(
      check(run(records, journal, { phases, expect: { 'recovery.seconds': '<= 1' } }), 'recovery.seconds'),
    ).toMatchObject({ verdict: 'pass', value: 0.5 })
    const never = [
      failed('a', 503, { phase: 'outage', intendedAt: 1500 }),
      failed('b', 503, { phase: 'after', intendedAt: 3900 }),
    ]
    // Still failing 1.9 s after the phase: that fails "<= 1", but says nothing of "<= 10" (the run ended first).
    expect(
      check(
        run(never, [fault503('a', 1, 1500)], { phases, expect: { 'recovery.seconds': '<= 1' } }),
        'recovery.seconds',
      ).verdict,
    ).toBe('fail')
    const cut = check(
      run(never, [fault503('a', 1, 1500)], { phases, expect: { 'recovery.seconds': '<= 10' } }),
      'recovery.seconds',
    )
    expect(cut.verdict).toBe('no-evidence')
    expect(cut.evidence).toContain('the run ended too soon to judge <= 10')
  })

  it('overload.shed_latency: how fast refusals come back', () => {
    const records = [failed('s1', 529, { latencyMs: 30 }), failed('s2', 503, { latencyMs: 900 }), rec('ok')]
    expect(
      check(run(records, [], { expect: { 'overload.shed_latency': 'max < 250ms' } }), 'overload.shed_latency'),
    ).toMatchObject({ verdict: 'fail', value: 900 })
  })

  it('sut.alive_after: no evidence with --direct, fail when the SUT died', () => {
    expect(check(run([rec('a')], [], {}, { sut: { mode: 'direct', url: 'x' } }), 'sut.alive_after').verdict).toBe(
      'no-evidence',
    )
    expect(
      check(run([rec('a')], [], {}, { sut: { mode: 'sut', url: 'x', aliveAfter: false } }), 'sut.alive_after').verdict,
    ).toBe('fail')
  })

  it('faults.fired: declared faults that never fired fail the scenario', () => {
    const scenario = {
      upstreams: { primary: { faults: [{ when: { attempt: 3 }, fault: { type: 'error', status: 503 } }] } },
    }
    const data = run([rec('a')], [att('a', 1, 0)], scenario)
    const c = check(data, 'faults.fired')
    expect(c).toMatchObject({ verdict: 'fail', value: 0, failsRun: true })
    expect(c.evidence).toContain('never fired: primary/0')
    expect(grade(data).passed).toBe(false)
  })
})

describe('verdicts', () => {
  it('a default check without evidence does not fail the run; an asked-for one does', () => {
    const data = run([rec('a')], [att('a', 1, 0)])
    expect(check(data, 'retries.fatal_retried')).toMatchObject({ verdict: 'no-evidence', failsRun: false })
    expect(grade(data).passed).toBe(true)
    const asked = run([rec('a')], [att('a', 1, 0)], withExpect({ 'retries.fatal_retried': '== 0' }))
    expect(grade(asked).passed).toBe(false)
  })

  it('an advisory check that fails is reported but does not fail the run', () => {
    const data = run(
      [rec('a'), failed('b', 503)],
      [],
      withExpect({ 'client.success_rate': { threshold: '>= 0.99', required: false } }),
    )
    expect(check(data, 'client.success_rate')).toMatchObject({ verdict: 'fail', failsRun: false })
  })

  it('an incomplete run never passes', () => {
    expect(grade(run([rec('a')], [att('a', 1, 0)], {}, { complete: false })).passed).toBe(false)
  })

  it('requests still in flight at the end (no record) do not break grading', () => {
    const data = run([rec('a')], [att('a', 1, 0), att('ghost', 1, 50)])
    expect(grade(data).checks.length).toBeGreaterThan(5)
  })

  it('examples carry the attempt timeline (upstream, time, fault, status, gap) and what the client got', () => {
    const data = run(
      [failed('t', 500, { bodyHead: '{"error":"Internal Server Error"}' })],
      [fault503('t', 1, 0, { durationMs: 10 }), fault503('t', 2, 210)],
      withExpect({ 'client.success_rate': '>= 1' }),
    )
    expect(check(data, 'client.success_rate').examples[0]).toEqual({
      id: 't',
      timeline: [
        { upstream: 'primary', atMs: 0, status: 503, fault: 'error', gapMs: null, endedBy: 'end' },
        { upstream: 'primary', atMs: 210, status: 503, fault: 'error', gapMs: 200, endedBy: 'end' },
      ],
      client: { outcome: 'http-error', status: 500, body: '{"error":"Internal Server Error"}' },
    })
  })

  it('stream_content_type: a stream read without its text/event-stream label fails; no stream is no evidence', () => {
    const labelled = run([rec('a'), rec('b')], [att('a', 1, 0), att('b', 1, 0)])
    expect(check(labelled, 'client.stream_content_type').verdict).toBe('pass')
    const bare = run([rec('a'), rec('b', { streamContentType: '' })], [att('a', 1, 0), att('b', 1, 0)])
    const c = check(bare, 'client.stream_content_type')
    expect(c.verdict).toBe('fail')
    expect(c.value).toBe(0.5)
    expect(c.evidence).toContain('1 had content-type: none')
    const none = run([failed('a', 503)], [fault503('a', 1, 0)])
    expect(check(none, 'client.stream_content_type').verdict).toBe('no-evidence')
  })

  it('a stream closed without its terminal event is delivered (its text is judged); one cut by a reset is not', () => {
    const closed = rec('a', { outcome: 'broken-stream', terminal: false })
    const reset = rec('b', { outcome: 'broken-stream', terminal: false, error: 'UND_ERR_SOCKET' })
    const data = run([closed, reset], [att('a', 1, 0), att('b', 1, 0)], withExpect({ 'client.success_rate': '>= 1' }))
    expect(check(data, 'client.success_rate').value).toBe(0.5)
    expect(check(data, 'client.errors_well_formed').value).toBe(1)
  })

  it('grading is pure: the same data gives the same result', () => {
    const data = run([rec('a'), failed('b', 503)], [att('a', 1, 0), fault503('b', 1, 10)])
    expect(grade(data)).toEqual(grade(data))
  })
})
