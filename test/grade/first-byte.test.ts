import { describe, expect, it } from 'vitest'
import { strikeOf } from '../../src/grade/first-byte.js'
import { grade } from '../../src/grade/grade.js'
import { att, expected, rec, run } from './builders.js'

const KEY = 'retries.before_first_byte'
const EXPECT = { expect: { [KEY]: '>= 0.99' } }

function check(data: ReturnType<typeof run>) {
  const c = grade(data).checks.find((x) => x.key === KEY)
  if (!c) throw new Error(`no check ${KEY}`)
  return c
}

/** Faulted attempts of each shape, as the journal records them. */
const hang = (id: string) =>
  att(id, 1, 0, { status: null, bytes: 0, firstByteMs: null, endedBy: 'client', faults: ['hang'], effect: 'transient' })
const headersThenNothing = (id: string) =>
  att(id, 1, 0, { bytes: 0, endedBy: 'client', faults: ['stream-stall'], effect: 'mid-stream' })
const zeroEventsReset = (id: string) =>
  att(id, 1, 0, { bytes: 0, endedBy: 'reset', faults: ['stream-cut'], effect: 'mid-stream' })
const cutAfterEvents = (id: string) =>
  att(id, 1, 0, { bytes: 300, endedBy: 'reset', faults: ['stream-cut'], effect: 'mid-stream' })
const retry = (id: string) => att(id, 2, 2100)

describe('retries.before_first_byte', () => {
  it('tells the shapes apart from the journal, not from fault names', () => {
    expect(strikeOf(hang('a'))).toBe('before')
    expect(strikeOf(headersThenNothing('a'))).toBe('before')
    expect(strikeOf(zeroEventsReset('a'))).toBe('before')
    expect(strikeOf(cutAfterEvents('a'))).toBe('after')
    expect(strikeOf(att('a', 1, 0))).toBeNull()
    expect(strikeOf(att('a', 1, 0, { status: 503, faults: ['error'], effect: 'transient' }))).toBeNull()
    expect(strikeOf(att('a', 1, 0, { status: 400, faults: ['error'], effect: 'fatal' }))).toBeNull()
  })

  it('passes when every break before the first byte was retried', () => {
    const data = run(
      [rec('a'), rec('b'), rec('c')],
      [hang('a'), retry('a'), headersThenNothing('b'), retry('b'), zeroEventsReset('c'), retry('c')],
      EXPECT,
    )
    expect(check(data)).toMatchObject({ verdict: 'pass', value: 1 })
  })

  it('fails a break before the first byte passed on without a retry (headers then nothing, committed)', () => {
    const data = run(
      [rec('a'), rec('b', { outcome: 'broken-stream', terminal: false, inBandError: 'idle', text: '' })],
      [hang('a'), retry('a'), headersThenNothing('b')],
      EXPECT,
    )
    const c = check(data)
    expect(c).toMatchObject({ verdict: 'fail', value: 0.5 })
    expect(c.examples[0]?.id).toBe('b')
    expect(c.evidence).toContain('1 of 2 broken before the first byte retried')
  })

  it('after the first byte: an explicit error passes; a clean end, a splice or a hang fails', () => {
    const explicit = rec('a', { outcome: 'broken-stream', terminal: false, inBandError: 'upstream stream broken' })
    const cleanEnd = rec('b', { outcome: 'broken-stream', terminal: false, text: expected('b').slice(0, 5) })
    const spliced = rec('c', { text: `${expected('c').slice(0, 5)}${expected('c')}` })
    const hung = rec('d', { outcome: 'timeout', status: 200, text: null })
    const data = run(
      [explicit, cleanEnd, spliced, hung],
      [cutAfterEvents('a'), cutAfterEvents('b'), cutAfterEvents('c'), retry('c'), cutAfterEvents('d')],
      EXPECT,
    )
    const c = check(data)
    expect(c).toMatchObject({ verdict: 'fail', value: 0.25 })
    expect(c.evidence).toContain('1 of 4 broken after it failed explicitly')
    expect(c.evidence).toContain('client.truncated_success')
    expect(c.evidence).toContain('client.hung')
  })

  it('after the first byte: the whole answer (a gateway that buffered and retried) passes', () => {
    const data = run([rec('a')], [cutAfterEvents('a'), retry('a')], EXPECT)
    expect(check(data)).toMatchObject({ verdict: 'pass', value: 1 })
  })

  it('has no evidence when nothing broke that way (error statuses are the retry checks’ business)', () => {
    const data = run(
      [rec('a')],
      [att('a', 1, 0, { status: 503, faults: ['error'], effect: 'transient' }), retry('a')],
      EXPECT,
    )
    expect(check(data)).toMatchObject({ verdict: 'no-evidence', value: null, failsRun: true })
    const quiet = run([rec('a')], [att('a', 1, 0)])
    expect(grade(quiet).checks.find((x) => x.key === KEY)).toBeUndefined()
  })
})
