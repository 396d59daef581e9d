import { describe, expect, it } from 'vitest'
import { attemptFailure } from '../../src/grade/context.js'
import { grade } from '../../src/grade/grade.js'
import { formatTimeline } from '../../src/report/format.js'
import type { JournalEntry } from '../../src/upstream/journal.js'
import { att, fault503, rec, run } from './builders.js'

/** The first attempt of every request hangs (rule 0). */
const HANG_FIRST = { upstreams: { primary: { faults: [{ when: { attempt: 1 }, fault: { type: 'hang' } }] } } }

/** An attempt the SUT still held open when the run ended. */
const open = (id: string, attempt: number, atMs: number, over: Partial<JournalEntry> = {}) =>
  att(id, attempt, atMs, {
    status: null,
    bytes: 0,
    firstByteMs: null,
    durationMs: 6000,
    endedBy: 'open',
    rule: '0',
    faults: ['hang'],
    ...over,
  })

const hungRecord = (id: string) => rec(id, { outcome: 'timeout', status: null, text: null, latencyMs: 6000 })

function check(data: ReturnType<typeof run>, key: string) {
  const c = grade(data).checks.find((x) => x.key === key)
  if (!c) throw new Error(`no check ${key}`)
  return c
}

describe('grading attempts still open at the end of a run', () => {
  const data = run(
    ['a', 'b', 'c'].map(hungRecord),
    ['a', 'b', 'c'].map((id, i) => open(id, 1, i * 200)),
    HANG_FIRST,
  )

  it('faults.fired counts a hang that never ended', () => {
    expect(check(data, 'faults.fired')).toMatchObject({ verdict: 'pass', value: 3 })
  })

  it('retries.max_attempts sees requests whose only attempt is open', () => {
    expect(check(data, 'retries.max_attempts')).toMatchObject({ verdict: 'pass', value: 1 })
  })

  it('an open attempt that sent no 2xx failed transiently, so a request left on it was not retried', () => {
    expect(check(data, 'retries.transient_retried')).toMatchObject({ verdict: 'fail', value: 0 })
  })

  it('client.hung fails, with timelines that show the open attempt and for how long', () => {
    const hung = check(data, 'client.hung')
    expect(hung).toMatchObject({ verdict: 'fail', value: 3 })
    expect(hung.examples[0]?.timeline).toEqual([
      { upstream: 'primary', atMs: 0, status: null, fault: 'hang', gapMs: null, endedBy: 'open', openMs: 6000 },
    ])
    expect(formatTimeline(hung.examples[0] as never)).toContain('primary @0ms open 6000 ms [hang]')
  })

  it('an open 2xx is a broken stream; an open 503 is transient; an open 400 is fatal', () => {
    expect(attemptFailure(open('x', 1, 0, { status: 200, faults: ['stream-stall'] }))).toBe('mid-stream')
    expect(attemptFailure(open('x', 1, 0, { status: 200, faults: [] }))).toBe('mid-stream')
    expect(attemptFailure(open('x', 1, 0, { status: 503 }))).toBe('transient')
    expect(attemptFailure(open('x', 1, 0, { status: 400 }))).toBe('fatal')
  })

  it('no retry gap is measured after an attempt that never ended (a hedged retry is not a backoff)', () => {
    const records = Array.from({ length: 12 }, (_, i) => rec(`h${i}`))
    const journal = records.flatMap((r, i) => [
      open(r.id, 1, i * 100, { durationMs: 5000 }),
      att(r.id, 2, i * 100 + 300),
    ])
    const hedged = run(records, journal, HANG_FIRST)
    expect(check(hedged, 'retries.jitter').verdict).toBe('no-evidence')
    const timeline = check(run([hungRecord('t')], [open('t', 1, 0), fault503('t', 2, 300)], HANG_FIRST), 'client.hung')
      .examples[0]?.timeline
    expect(timeline?.map((s) => s.gapMs)).toEqual([null, null])
  })
})
