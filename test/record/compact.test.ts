import { describe, expect, it } from 'vitest'
import { requestIdPrefix } from '../../src/load/driver.js'
import type { ClientRecord } from '../../src/load/record.js'
import { Compactor } from '../../src/record/compact.js'
import { withChanges } from '../../src/record/shared-parts.js'
import type { JournalEntry } from '../../src/upstream/journal.js'
import { att, rec, START } from '../grade/builders.js'

const PREFIX = requestIdPrefix('abc12')

const digest = (content: string) => ({
  content,
  maxTokens: 16,
  stream: false,
  tools: 0,
  streamUsage: false,
  headers: ['content-type', 'x-brownout-request-id'],
})

/** A record of brownout's own id form, with fractional times and a digest of its own. */
function record(n: number, changes: Partial<ClientRecord> = {}): ClientRecord {
  return rec(`${PREFIX}${n}`, {
    n,
    intendedAt: n * 0.4 + 0.123,
    sendLagMs: 0.25,
    latencyMs: 12.345678 + n,
    ttftMs: 11.5,
    text: `answer ${n}`,
    sent: digest((0x0a0b0c0d + n).toString(16).padStart(8, '0')),
    ...changes,
  })
}

/** The upstream attempt of request `seq - 1`, with fractional times and a digest. */
function entry(seq: number, changes: Partial<JournalEntry> = {}): JournalEntry {
  return att(`${PREFIX}${seq - 1}`, 1, seq + 0.125, {
    seq,
    durationMs: 3.75,
    firstByteMs: 1.5,
    firstWriteMs: 1.5,
    effect: 'none',
    received: digest('00c0ffee'),
    ...changes,
  })
}

/** The named fields of a summary, read through it. */
const read = (summary: object, names: string[]) => names.map((name) => (summary as Record<string, unknown>)[name])

/** Every field as JSON has it, order aside. */
const fields = (v: unknown) => Object.fromEntries(Object.entries(JSON.parse(JSON.stringify(v))).sort())

describe('summaries keep what grading reads, their numbers in columns', () => {
  it('reads back every field of a record and an entry as it was, through JSON too', () => {
    const compact = new Compactor(undefined, PREFIX)
    const records = [0, 1, 70_000].map((n) => record(n))
    const entries = [1, 2, 70_001].map((s) => entry(s))
    const rs = records.map((r) => compact.record(r))
    const es = entries.map((e) => compact.entry(e))
    const recordFields = ['id', 'n', 'intendedAt', 'latencyMs', 'ttftMs', 'bytes']
    records.forEach((r, i) => {
      const s = rs[i] as ClientRecord
      expect(read(s, recordFields)).toEqual(read(r, recordFields))
      expect(fields(s.sent)).toEqual(fields(r.sent))
      expect(fields(s)).toEqual(fields(r))
    })
    const entryFields = ['requestId', 'seq', 'receivedAt', 'durationMs', 'firstByteMs', 'firstWriteMs']
    entries.forEach((e, i) => {
      const s = es[i] as JournalEntry
      expect(read(s, entryFields)).toEqual(read(e, entryFields))
      expect(fields(s)).toEqual(fields(e))
    })
  })

  it('writes its id and numbers first in JSON, as a summary of one object did', () => {
    const compact = new Compactor(undefined, PREFIX)
    const keys = (v: unknown) => Object.keys(JSON.parse(JSON.stringify(v))).slice(0, 3)
    expect(keys(compact.record(record(1)))).toEqual(['id', 'n', 'intendedAt'])
    expect(keys(compact.entry(entry(1)))).toEqual(['requestId', 'seq', 'attempt'])
  })

  it('keeps as its own what is not the usual shape: null times, odd ids and hashes, values of the wrong type', () => {
    const compact = new Compactor(undefined, PREFIX)
    const odd = [
      record(3, { ttftMs: null, id: 'my-own-id' }),
      record(4, { id: `${PREFIX}04` }),
      record(5, { id: `${PREFIX}6` }),
      record(6, { sent: digest('not-a-hash') }),
      record(7, { latencyMs: 'slow' as unknown as number, gapsMs: [1.5, 2.25] }),
    ]
    for (const r of odd) {
      const s = compact.record(r)
      const want = fields(r)
      if (Array.isArray(r.gapsMs) && r.gapsMs.length > 0) want.gapsTotalMs = 3.75
      want.gapsMs = []
      expect(fields(s)).toEqual(want)
    }
    const anonymous = entry(9, { requestId: 'anon-primary-1', firstByteMs: null })
    delete anonymous.received
    const e = compact.entry(anonymous)
    expect([e.requestId, e.firstByteMs, e.received]).toEqual(['anon-primary-1', null, undefined])
    const noPrefix = new Compactor().record(record(8))
    expect(noPrefix.id).toBe(`${PREFIX}8`)
  })

  it('reads back numbers of every kind, a column of integers taking fractions, -0 and NaN later', () => {
    const compact = new Compactor(undefined, PREFIX)
    const latencies = [12, 7, 2 ** 31, 0.5, -0, Number.NaN, 1e300, -3]
    const summaries = latencies.map((latencyMs, n) => compact.record(record(n, { latencyMs })))
    expect(summaries.map((s) => s.latencyMs)).toEqual(latencies)
    expect(Object.is(summaries[4]?.latencyMs, -0)).toBe(true)
    expect(summaries.map((s) => s.sent?.content)).toEqual(latencies.map((_, n) => record(n).sent?.content))
    const high = compact.record(record(9, { sent: digest('ffffffff') }))
    expect(high.sent?.content).toBe('ffffffff')
  })

  it('a copy with changes keeps its columns and takes the changes as its own', () => {
    const compact = new Compactor(undefined, PREFIX)
    const e = compact.entry(entry(5))
    const moved = withChanges(e, { receivedAt: 42, seq: 7 })
    expect([moved.receivedAt, moved.seq, moved.requestId, moved.durationMs]).toEqual([42, 7, `${PREFIX}4`, 3.75])
    expect([e.receivedAt, e.seq]).toEqual([START + 5.125, 5])
    moved.seq = 8
    expect(moved.seq).toBe(8)
    expect(fields(moved)).toEqual(fields({ ...entry(5), receivedAt: 42, seq: 8 }))
  })
})
