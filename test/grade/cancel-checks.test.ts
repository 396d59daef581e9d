import { describe, expect, it } from 'vitest'
import { grade } from '../../src/grade/grade.js'
import type { ClientRecord } from '../../src/load/record.js'
import { formatTimeline } from '../../src/report/format.js'
import { att, failed, fault503, rec, run } from './builders.js'

function check(data: ReturnType<typeof run>, key: string) {
  const c = grade(data).checks.find((x) => x.key === key)
  if (!c) throw new Error(`no check ${key}`)
  return c
}

/** A request its client gave up on at `atMs` (ms since the load started), after some of a stream arrived. */
const abandoned = (id: string, atMs: number, over: Partial<ClientRecord> = {}) =>
  rec(id, {
    outcome: 'abandoned',
    abandonedAtMs: atMs,
    error: `gave up ${atMs - 10} ms after sending (load.cancel)`,
    terminal: false,
    text: 'Par',
    bodyHead: 'data: {"choices"',
    ...over,
  })

const CANCEL = { load: { rate: 4, cancel: { share: 0.5, after: 300 } } }

describe('passthrough.cancellation', () => {
  it('passes when the attempt in flight closes at once, fails when it runs on', () => {
    // Abandoned at 300 ms; the attempt arrived at 10 ms: it closed 5 ms after the abort, or 1.7 s after.
    const prompt = run(
      [rec('a'), abandoned('b', 300)],
      [att('a', 1, 0), att('b', 1, 10, { durationMs: 295, endedBy: 'client' })],
      CANCEL,
    )
    expect(check(prompt, 'passthrough.cancellation')).toMatchObject({ verdict: 'pass', value: 5, source: 'default' })
    const late = run([rec('a'), abandoned('b', 300)], [att('a', 1, 0), att('b', 1, 10, { durationMs: 1990 })], CANCEL)
    const c = check(late, 'passthrough.cancellation')
    expect(c).toMatchObject({ verdict: 'fail', value: 1700, failsRun: true })
    expect(c.evidence).toMatch(/p50 1700 ms, p99 1700 ms after the abort; 0 closed by the gateway, 1 ran on/)
    expect(c.examples[0]?.id).toBe('b')
    expect(formatTimeline(c.examples[0] ?? { id: 'b', timeline: [] })).toBe(
      'b: primary @10ms 200 ⇒ client gave up 290 ms after sending (load.cancel)',
    )
  })

  it('an attempt still open at the end is a lower bound: it can fail the check, never pass it', () => {
    const open = (ms: number) => att('b', 1, 10, { durationMs: ms, endedBy: 'open', status: null })
    expect(check(run([abandoned('b', 300)], [open(2000)], CANCEL), 'passthrough.cancellation').verdict).toBe('fail')
    expect(check(run([abandoned('b', 300)], [open(500)], CANCEL), 'passthrough.cancellation').verdict).toBe(
      'no-evidence',
    )
  })

  it('has no evidence without abandoned requests, or when every attempt had ended before the abort', () => {
    expect(check(run([rec('a')], [att('a', 1, 0)]), 'passthrough.cancellation').verdict).toBe('no-evidence')
    // The only attempt failed and ended at 20 ms, long before the client gave up at 300 ms.
    const ended = run([abandoned('b', 300)], [fault503('b', 1, 10, { durationMs: 10 })], CANCEL)
    const c = check(ended, 'passthrough.cancellation')
    expect(c.verdict).toBe('no-evidence')
    expect(c.evidence).toMatch(/none while an upstream attempt was in flight/)
  })
})

describe('passthrough.cancel_never_closed', () => {
  it('counts abandoned requests whose upstream attempt was still open when the run ended', () => {
    const data = run(
      [abandoned('b', 300), abandoned('c', 300)],
      [att('b', 1, 10, { durationMs: 300, endedBy: 'client' }), att('c', 1, 10, { durationMs: 3000, endedBy: 'open' })],
      CANCEL,
    )
    expect(check(data, 'passthrough.cancel_never_closed')).toMatchObject({ verdict: 'fail', value: 0.5 })
    const closed = run([abandoned('b', 300)], [att('b', 1, 10, { durationMs: 300, endedBy: 'client' })], CANCEL)
    expect(check(closed, 'passthrough.cancel_never_closed')).toMatchObject({ verdict: 'pass', value: 0 })
  })
})

describe('passthrough.zombie_retries', () => {
  it('counts attempts that started after the client left; one already on its way is not a zombie', () => {
    const data = run(
      [abandoned('b', 300), abandoned('c', 300)],
      [
        fault503('b', 1, 10, { durationMs: 5 }),
        att('b', 2, 1000),
        fault503('c', 1, 10, { durationMs: 5 }),
        att('c', 2, 320, { endedBy: 'client' }),
      ],
      CANCEL,
    )
    const c = check(data, 'passthrough.zombie_retries')
    expect(c).toMatchObject({ verdict: 'fail', value: 1 })
    expect(c.examples.map((e) => e.id)).toEqual(['b'])
  })
})

describe('abandoned requests in the client checks', () => {
  it('are neither successes nor failures of the SUT', () => {
    const data = run([rec('a'), abandoned('b', 300), failed('c', 400)], [att('a', 1, 0)], {
      ...CANCEL,
      expect: { 'client.success_rate': '>= 0.5' },
    })
    expect(check(data, 'client.success_rate')).toMatchObject({ value: 0.5 })
    expect(check(data, 'client.errors_well_formed').evidence).toBe('1 of 1 failures well formed')
  })

  it('count as requests in retries.amplification: their attempts were load all the same', () => {
    const data = run([rec('a'), abandoned('b', 300)], [att('a', 1, 0), att('b', 1, 0, { endedBy: 'client' })], {
      ...CANCEL,
      expect: { 'retries.amplification': '<= 1' },
    })
    expect(check(data, 'retries.amplification')).toMatchObject({ verdict: 'pass', value: 1 })
  })
})
