import { describe, expect, it } from 'vitest'
import type { Effect } from '../../src/faults/effect.js'
import { attemptFailure } from '../../src/grade/context.js'
import type { JournalEntry } from '../../src/upstream/journal.js'
import { att } from './builders.js'

const entry = (status: number | null, endedBy: JournalEntry['endedBy'], faults: string[], effect?: Effect) => {
  const e = att('x', 1, 0, { status, endedBy, faults })
  if (effect !== undefined) e.effect = effect
  return e
}

describe('attemptFailure reads the journal effect', () => {
  it.each([
    ['a 5xx with no fault is transient', entry(503, 'end', [], 'none'), 'transient'],
    ['a 400 with no fault is fatal', entry(400, 'end', [], 'none'), 'fatal'],
    ['a 200 with no fault is no failure', entry(200, 'end', [], 'none'), null],
    ['a 429 declared fatal is fatal', entry(429, 'end', ['f'], 'fatal'), 'fatal'],
    ['a 200 declared transient is transient', entry(200, 'end', ['f'], 'transient'), 'transient'],
    ['a 200 declared mid-stream is mid-stream', entry(200, 'reset', ['f'], 'mid-stream'), 'mid-stream'],
    ['a 409 declared transient is transient', entry(409, 'end', ['f'], 'transient'), 'transient'],
    ['a good answer (none) is no failure', entry(200, 'end', ['f'], 'none'), null],
    ['no status line, cut by the fault: transient', entry(null, 'reset', ['f'], 'transient'), 'transient'],
    ['no status line, a faulted attempt the SUT left: transient', entry(null, 'client', ['f'], 'none'), 'transient'],
    ['no status line, a fatal answer the SUT never saw: transient', entry(null, 'client', ['f'], 'fatal'), 'transient'],
    ['no status line, no fault, the SUT left: no failure', entry(null, 'client', [], 'none'), null],
    ['open without a status: transient', entry(null, 'open', ['f'], 'transient'), 'transient'],
    ['open after a 2xx: mid-stream', entry(200, 'open', ['f'], 'none'), 'mid-stream'],
    ['open after a 400: fatal', entry(400, 'open', ['f'], 'fatal'), 'fatal'],
    ['open after a fatal 429: fatal', entry(429, 'open', ['f'], 'fatal'), 'fatal'],
  ] as const)('%s', (_name, e, want) => {
    expect(attemptFailure(e)).toBe(want)
  })
})

/** The rule as it was before journals carried effects, kept here as the oracle for journals saved then. */
function gradedBefore(e: JournalEntry): 'fatal' | 'transient' | 'mid-stream' | null {
  const TRANSIENT = new Set([408, 429, 500, 502, 503, 504, 529])
  const FATAL = new Set([400, 401, 403, 404, 413, 422])
  if (e.faults.includes('quota')) return 'fatal'
  if (e.status !== null && FATAL.has(e.status)) return 'fatal'
  if (e.status !== null && TRANSIENT.has(e.status)) return 'transient'
  if (e.endedBy === 'open') return e.status !== null && e.status >= 200 && e.status < 300 ? 'mid-stream' : 'transient'
  if (e.status === null && e.endedBy !== 'client') return 'transient'
  if (e.status === null && e.endedBy === 'client' && e.faults.length > 0) return 'transient'
  if (
    e.status === 200 &&
    e.faults.some((f) => f.startsWith('stream-') || f === 'reset' || f === 'close' || f === 'hang' || f === 'malformed')
  )
    return 'mid-stream'
  return null
}

describe('journals saved before the effect field', () => {
  const statuses = [null, 200, 400, 404, 405, 409, 418, 429, 500, 501, 503, 529]
  const endings: Array<JournalEntry['endedBy']> = ['end', 'reset', 'close', 'hang', 'client', 'open']
  const faultLists = [[], ['quota'], ['error'], ['delay'], ['slow'], ['stream-cut'], ['reset'], ['hang'], ['close']]
  const faultLists2 = [['malformed'], ['stream-malformed'], ['garbage'], ['queue-full'], ['error', 'reset']]

  it('grade exactly as they did, from their fault names (a quota whose status never went out: transient now)', () => {
    let compared = 0
    for (const status of statuses)
      for (const endedBy of endings)
        for (const faults of [...faultLists, ...faultLists2]) {
          const e = entry(status, endedBy, faults)
          expect(e.effect).toBeUndefined()
          const before = status === null && faults.includes('quota') ? 'transient' : gradedBefore(e)
          expect(attemptFailure(e), JSON.stringify({ status, endedBy, faults })).toBe(before)
          compared++
        }
    expect(compared).toBe(12 * 6 * 14)
  })
})
