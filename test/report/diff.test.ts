import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type BrownoutError, exitCodeFor } from '../../src/errors.js'
import { grade } from '../../src/grade/grade.js'
import { diffExitCode, diffSides } from '../../src/report/diff.js'
import { readDiffPair } from '../../src/report/diff-input.js'
import { renderDiffMarkdown } from '../../src/report/diff-markdown.js'
import { buildScorecard, renderScorecardMarkdown } from '../../src/report/scorecard.js'
import { writeReports } from '../../src/report/write.js'
import { att, failed, fault503, rec, run } from '../grade/builders.js'
import { brownoutCli } from '../helpers.js'

const SCENARIO = { name: 'transient-503', expect: { 'client.success_rate': '>= 0.99' } }
const IDS = Array.from({ length: 20 }, (_, i) => `brn-t-${i}`)

/** A gateway that retries each 503 once: every request succeeds. */
function retrying(sutName: string) {
  return run(
    IDS.map((id) => rec(id)),
    IDS.flatMap((id, i) => [fault503(id, 1, i * 100), att(id, 2, i * 100 + 20)]),
    SCENARIO,
    { sut: { mode: 'sut', url: 'http://gateway', name: sutName, aliveAfter: true } },
  )
}

/** A gateway that passes each 503 on: every request fails. */
function passingOn(sutName: string) {
  return run(
    IDS.map((id) => failed(id, 503)),
    IDS.map((id, i) => fault503(id, 1, i * 100)),
    SCENARIO,
    { sut: { mode: 'sut', url: 'http://gateway', name: sutName, aliveAfter: true } },
  )
}

/** A run folder as `brownout run --out` leaves it (the reports of one graded run). */
function runFolder(data: ReturnType<typeof run>): string {
  const dir = mkdtempSync(join(tmpdir(), 'brownout-diff-run-'))
  writeReports(dir, [{ result: grade(data), data }])
  return dir
}

/** A scorecard folder as `brownout suite --out` leaves it: scorecard.md and <scenario>/<sut>/ reports. */
function scorecardFolder(data: ReturnType<typeof run>, sut: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'brownout-diff-card-'))
  const result = grade(data)
  const cellDir = join(dir, result.scenario.name, sut)
  mkdirSync(cellDir, { recursive: true })
  writeReports(cellDir, [{ result, data }])
  writeFileSync(join(dir, 'scorecard.md'), renderScorecardMarkdown(buildScorecard([sut], [[result]])))
  return dir
}

/** What the command computes for two folders: the diff, its markdown and its exit code (no process spawned). */
function diffOf(a: string, b: string) {
  const d = diffSides(...readDiffPair(a, b))
  return { d, md: renderDiffMarkdown(d), exit: diffExitCode(d) }
}

describe('brownout diff on real run folders', () => {
  const good = runFolder(retrying('gateway'))
  const bad = runFolder(passingOn('gateway'))

  it('the command: a regression exits 1, --out writes the markdown and the JSON, --format json prints the JSON', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'brownout-diff-out-')), 'diff')
    const r = await brownoutCli(['diff', good, bad, '--format', 'json', '--out', out])
    expect(r.code).toBe(1)
    const printed = JSON.parse(r.stdout)
    expect(printed.schema).toBe('brownout.diff/1')
    expect(printed.summary.regressed).toBe(2)
    expect(JSON.parse(readFileSync(`${out}.json`, 'utf8'))).toEqual(printed)
    expect(readFileSync(`${out}.md`, 'utf8')).toContain('### Regressed: pass → fail')
  })

  it('a check that passed in A and fails in B is a regression, named with its move', () => {
    const { md, exit } = diffOf(good, bad)
    expect(exit).toBe(1)
    expect(md).toMatch(/`transient-503` \| `client\.success_rate` \| >= 0\.99 \| pass 1\.000 \| fail 0\.000/)
    expect(md).toContain('20/20 → 0/20, z = -6.3')
  })

  it('the same change the other way is a fix: exit 0', () => {
    const { md, exit } = diffOf(bad, good)
    expect(exit).toBe(0)
    expect(md).toContain('### Fixed: fail → pass')
    expect(md).toContain('**0 regressed · 2 fixed')
  })

  it('a run compared with itself: nothing changed, exit 0', () => {
    const { md, exit } = diffOf(good, good)
    expect(exit).toBe(0)
    expect(md).toContain('No check changed its verdict or its evidence')
  })

  it('a folder that is neither a run nor a scorecard is a usage error that says which side and what to pass', () => {
    const empty = mkdtempSync(join(tmpdir(), 'brownout-diff-empty-'))
    const err = (() => {
      try {
        readDiffPair(good, empty)
      } catch (e) {
        return e as BrownoutError
      }
    })()
    expect(err?.code).toBe('INVALID_USAGE')
    expect(err && exitCodeFor(err)).toBe(2)
    expect(err?.message).toBe(
      `B (${empty}) is not a run folder or a scorecard folder: it has no result.json, run.json or scorecard.md`,
    )
    expect(err?.hint).toContain('pass the --out folder of `brownout run`')
  })
})

describe('brownout diff on real scorecard folders', () => {
  it('compares per SUT, pairing a SUT renamed between versions; a regression exits 1', () => {
    const v1 = scorecardFolder(retrying('gateway-v1'), 'gateway-v1')
    const v2 = scorecardFolder(passingOn('gateway-v2'), 'gateway-v2')
    const { md, exit } = diffOf(v1, v2)
    expect(exit).toBe(1)
    expect(md).toContain('SUT `gateway-v1` in A is compared with `gateway-v2` in B.')
    expect(md).toMatch(/\| gateway-v2 \| `transient-503` \| `client\.success_rate` \|/)
    expect(diffOf(v2, v1).exit).toBe(0)
  })

  it('a run and a scorecard are not compared', () => {
    const card = scorecardFolder(retrying('gateway'), 'gateway')
    expect(() => readDiffPair(runFolder(retrying('gateway')), card)).toThrow(
      /is a run folder but B .* is a scorecard folder/,
    )
  })
})
