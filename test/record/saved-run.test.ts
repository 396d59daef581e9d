import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BrownoutError } from '../../src/errors.js'
import { grade } from '../../src/grade/grade.js'
import { RUN_SCHEMA_VERSION } from '../../src/record/meta.js'
import { loadRun } from '../../src/record/saved.js'

/** A run saved by brownout 0.1.0 before run.json declared a schemaVersion (run schema 1). */
const V1 = new URL('../fixtures/runs/v1/', import.meta.url).pathname

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A copy of the v1 fixture, with `edit` applied to one of its files. */
function savedCopy(file?: string, edit?: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'brownout-saved-run-'))
  dirs.push(dir)
  cpSync(V1, dir, { recursive: true })
  if (file && edit) writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')))
  return dir
}

function loadError(dir: string): BrownoutError {
  try {
    loadRun(dir)
  } catch (err) {
    if (err instanceof BrownoutError) return err
    throw err
  }
  throw new Error(`${dir} loaded`)
}

describe('a saved run is checked against the record contract when it is loaded', () => {
  it('reads a run saved in run schema 1 (no schemaVersion) and grades it as it was graded then', () => {
    const data = loadRun(V1)
    expect(data.meta.schemaVersion).toBe(RUN_SCHEMA_VERSION)
    expect(data.records).toHaveLength(6)
    expect(data.journal).toHaveLength(6)
    const then = JSON.parse(readFileSync(join(V1, 'result.json'), 'utf8'))
    const now = grade(data)
    // Checks added since then are graded too; those it had keep their verdicts.
    const had = new Set(then.checks.map((c: { key: string }) => c.key))
    expect(now.checks.filter((c) => had.has(c.key)).map((c) => [c.key, c.verdict])).toEqual(
      then.checks.map((c: { key: string; verdict: string }) => [c.key, c.verdict]),
    )
    expect(now.counts).toEqual(then.counts)
  })

  it('refuses a run written by a newer brownout, saying which version and what to do', () => {
    const dir = savedCopy('run.json', (t) => t.replace('"schema": "brownout.run/1"', '"schemaVersion": 99'))
    const err = loadError(dir)
    expect(err.code).toBe('INVALID_USAGE')
    expect(err.message).toMatch(/run\.json has run schema version 99, written by brownout 0\.1\.0; this brownout reads/)
    expect(err.hint).toMatch(/brownout that wrote it/)
  })

  it('refuses a run.json that is not a run record', () => {
    const dir = savedCopy('run.json', () => '{"name": "something else"}')
    expect(loadError(dir).message).toMatch(/run\.json is not a brownout run record/)
  })

  it('names the field of run.json that breaks the contract', () => {
    const dir = savedCopy('run.json', (t) => t.replace('"requests": 6', '"requests": "six"'))
    expect(loadError(dir).message).toMatch(/cannot read the run in .*: run\.json: counts\.requests: .*expected number/)
  })

  it('names the line and the field of a record that breaks the contract', () => {
    const dir = savedCopy('requests.jsonl', (t) => {
      const lines = t.split('\n')
      lines[1] =
        lines[1]?.replace('"outcome":"ok"', '"outcome":"fine"').replace('"outcome":"http-error"', '"outcome":"fine"') ??
        ''
      return lines.join('\n')
    })
    const err = loadError(dir)
    expect(err.message).toMatch(/requests\.jsonl line 2: outcome: /)
    expect(err.hint).toMatch(/run the scenario again with --out/)
  })

  it('keeps fields of a line it does not know (a newer writer of the same version)', () => {
    const dir = savedCopy('journal.jsonl', (t) => t.replace('"seq":1,', '"seq":1,"effect":"none",'))
    const first = loadRun(dir).journal.find((e) => e.seq === 1)
    expect(first).toMatchObject({ effect: 'none' })
  })
})
