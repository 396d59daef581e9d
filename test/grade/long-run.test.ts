import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { grade } from '../../src/grade/grade.js'
import type { ClientRecord } from '../../src/load/record.js'
import { jsonLines, loadRun } from '../../src/record/saved.js'
import { renderHtml } from '../../src/report/html.js'
import { tempDir } from '../helpers.js'
import { att, rec, run } from './builders.js'

describe('long runs', () => {
  it('grades and charts 200,000 requests (spreading them into Math.max would overflow the stack)', () => {
    const n = 200_000
    const records = Array.from({ length: n }, (_, i) =>
      rec(`r${i}`, { n: i, intendedAt: i / 20, stream: false, text: null, latencyMs: 50 + (i % 100) }),
    )
    const journal = records.map((r) => att(r.id, 1, r.intendedAt + 1, { stream: false }))
    const data = run(records, journal, {
      phases: [{ name: 'steady', duration: 10_000 }],
      expect: { 'client.latency': 'max < 1s' },
    })
    const result = grade(data)
    const latency = result.checks.find((c) => c.name === 'client.latency')
    expect(latency?.verdict).toBe('pass')
    expect(latency?.value).toBe(149)
    expect(renderHtml([{ result, data }])).toContain('<svg')
  })

  it('judges the jitter of 150,000 first retries (spreading their gaps into Math.max overflowed the stack)', () => {
    const n = 150_000
    const records = Array.from({ length: n }, (_, i) => rec(`r${i}`, { n: i, intendedAt: i / 20, stream: false }))
    const journal = records.flatMap((r, i) => [
      att(r.id, 1, r.intendedAt + 1, { stream: false, status: 503, faults: ['error'], durationMs: 1 }),
      att(r.id, 2, r.intendedAt + 102 + (i % 50), { stream: false }),
    ])
    const data = run(records, journal, { phases: [{ name: 'steady', duration: 10_000 }] })
    const jitter = grade(data).checks.find((c) => c.name === 'retries.jitter')
    expect(jitter?.evidence).toMatch(/^150000 first-retry gaps, .* longest 149 ms/)
  })

  it('reads saved JSON lines a chunk at a time, lines split across chunks and multibyte text intact', () => {
    const dir = tempDir('brownout-lines-')
    const file = join(dir, 'x.jsonl')
    // ~3 MiB of lines of varying length with 3-byte characters, so chunk edges fall mid-line and mid-character.
    const rows = Array.from({ length: 3000 }, (_, i) => ({ i, text: '€'.repeat(300 + (i % 37)) }))
    writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n\n`)
    expect([...jsonLines(file)]).toEqual(rows)
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n')) // no final newline
    expect([...jsonLines(file)]).toEqual(rows)
    // Blank and whitespace-only lines (CRLF files too) are skipped; a line that is not JSON says which it is.
    writeFileSync(file, '{"a":1}\r\n\r\n  \n{"a":2}\r\n')
    expect([...jsonLines(file)]).toEqual([{ a: 1 }, { a: 2 }])
    writeFileSync(file, '{"a":1}\n\n{"a":\n')
    expect(() => [...jsonLines(file)]).toThrow(/^x\.jsonl line 3: /)
  })

  it('loads a saved run as the summaries grading reads, graded the same as the whole lines', () => {
    const dir = tempDir('brownout-saved-')
    const headers = { 'retry-after': '1', 'x-request-id': 'req_1', 'content-type': 'application/json' }
    const records = [rec('a'), rec('b', { headers, gapsMs: [5, 6] }), rec('c', { text: 'not the answer' })]
    const journal = [att('a', 1, 1), att('b', 1, 2, { faults: ['error'] }), att('c', 1, 3)]
    const data = run(records, journal)
    writeFileSync(join(dir, 'run.json'), JSON.stringify(data.meta))
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify(data.scenario))
    writeFileSync(join(dir, 'requests.jsonl'), `${records.map((r) => JSON.stringify(r)).join('\n')}\n`)
    writeFileSync(join(dir, 'journal.jsonl'), `${journal.map((e) => JSON.stringify(e)).join('\n')}\n`)
    expect(loadRun(dir, { whole: true }).records).toEqual(records)
    const loaded = loadRun(dir)
    // The expected answer's text, the headers no check reads and a stream's gaps are dropped; what they say stays.
    const [a, b, c] = loaded.records.map((r) => JSON.parse(JSON.stringify(r)) as ClientRecord)
    expect(a).toEqual({ ...records[0], text: null, textIsExpected: true })
    const retryAfter = { 'retry-after': '1' }
    expect(b).toEqual({
      ...records[1],
      text: null,
      textIsExpected: true,
      headers: retryAfter,
      gapsMs: [],
      gapsTotalMs: 11,
    })
    expect(c).toEqual(records[2])
    expect(JSON.parse(JSON.stringify(loaded.journal))).toEqual(journal)
    expect(loaded.records[0]?.model).toBe(loaded.records[1]?.model)
    expect(grade(loaded)).toEqual(grade(data))
    // A damaged folder says where: the line of a JSON-lines file, the path in scenario.json.
    writeFileSync(join(dir, 'journal.jsonl'), `${JSON.stringify(journal[0])}\n{"seq":\n`)
    expect(() => loadRun(dir)).toThrow(/cannot read the run in .*: journal\.jsonl line 2: /)
    writeFileSync(
      join(dir, 'scenario.json'),
      JSON.stringify({ ...data.scenario, phases: [{ name: 'p', duration: null }] }),
    )
    expect(() => loadRun(dir)).toThrow(/scenario\.json does not validate \(phases\.0\.duration: /)
  })
})
