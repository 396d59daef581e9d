import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type GradeResult, grade } from '../../src/grade/grade.js'
import { arrivalTimes, phaseSegments } from '../../src/load/schedule.js'
import { parseSegment, segmentOf } from '../../src/load/segment.js'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { loadRun } from '../../src/record/saved.js'
import { runScenario } from '../../src/run/run.js'
import { sharedUpstreamState } from '../../src/run/segments.js'
import { brownoutCli, tempDir } from '../helpers.js'

const SCENARIO = new URL('../fixtures/scenarios/segmented.yaml', import.meta.url).pathname

describe('execution segments', () => {
  it('split a schedule into disjoint parts whose union is the plan, each request keeping its number and time', () => {
    const plan = arrivalTimes(phaseSegments([{ duration: 1000 }, { duration: 700, rate: 55 }], 13))
    for (const count of [1, 2, 3, 8]) {
      const parts = Array.from({ length: count }, (_, index) => segmentOf(plan, { index, count }))
      const numbers = parts.flatMap((p) => p.numbers).sort((a, b) => a - b)
      expect(numbers).toEqual(plan.map((_, n) => n))
      for (const p of parts) expect(p.times).toEqual(p.numbers.map((n) => plan[n]))
    }
  })

  it('are written K/N, 1-based, and anything else is a usage error that says how', () => {
    expect(parseSegment('3/8')).toEqual({ index: 2, count: 8 })
    expect(parseSegment('1/1')).toEqual({ index: 0, count: 1 })
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0'])
      expect(() => parseSegment(bad)).toThrow(/expected K\/N with 1 ≤ K ≤ N \(e\.g\. --segment 3\/8\)/)
  })

  it('name what counts across requests (each segment would count only its share)', () => {
    expect(sharedUpstreamState(loadScenario(SCENARIO))).toEqual([])
    expect(
      sharedUpstreamState(loadScenario(new URL('../../scenarios/rpm-limit.yaml', import.meta.url).pathname)),
    ).not.toEqual([])
  })

  it('run in three processes and merged, give the run of one process: same requests, same faults, one verdict', async () => {
    const scenario = loadScenario(SCENARIO)
    const dir = tempDir('brownout-segments-')
    const whole = await runScenario({ scenario, sut: { mode: 'direct' } })
    const segDirs = [0, 1, 2].map((i) => join(dir, `seg-${i + 1}`))
    // Three segments at once, each with its own upstream, as on three machines.
    await Promise.all(
      segDirs.map((outDir, index) =>
        runScenario({ scenario, sut: { mode: 'direct' }, outDir, segment: { index, count: 3 } }),
      ),
    )
    expect(loadRun(segDirs[1] as string).records.every((r) => r.n % 3 === 1)).toBe(true)

    const out = join(dir, 'merged')
    const merged = await brownoutCli(['merge', ...segDirs, '--out', out])
    // Direct, a 503 reaches the client: the run fails its checks (exit 1), as the single-process run does.
    expect(merged.code, merged.stderr).toBe(1)
    expect(merged.stdout + merged.stderr).toMatch(/merged 3 segments: \d+ requests/)
    expect(existsSync(join(out, 'result.json'))).toBe(true)

    const run = loadRun(out)
    expect(run.meta.mergedFrom).toBe(3)
    expect(run.meta.segment).toBeUndefined()
    // What the client saw, request by request: the same ids, the same answers and failures.
    const seen = (rs: typeof run.records) => rs.map((r) => `${r.id} ${r.status} ${r.outcome}`).sort()
    expect(seen(run.records)).toEqual(seen(whole.records))
    expect(run.records.some((r) => r.status === 503)).toBe(true)
    // What the upstream saw: the same attempts, numbered again in order of arrival.
    const attempts = (js: typeof run.journal) => js.map((e) => `${e.requestId}#${e.attempt} ${e.faults}`).sort()
    expect(attempts(run.journal)).toEqual(attempts(whole.journal))
    expect(run.journal.map((e) => e.seq)).toEqual(run.journal.map((_, i) => i + 1))
    // One verdict, check by check, the same as the single-process run's.
    const verdicts = (r: GradeResult) => Object.fromEntries(r.checks.map((c) => [c.key, c.verdict]))
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as GradeResult
    expect(result.counts.requests).toBe(whole.records.length)
    expect(verdicts(result)).toEqual(verdicts(grade(whole)))
  }, 30_000)

  it('refuse folders that are not every segment of one run, once each', async () => {
    const scenario = loadScenario(SCENARIO)
    const dir = tempDir('brownout-segments-bad-')
    const one = join(dir, 'one')
    await runScenario({
      scenario: { ...scenario, phases: [{ name: 'calm', duration: 200 }] },
      sut: { mode: 'direct' },
      outDir: one,
      segment: { index: 0, count: 2 },
    })
    const r = await brownoutCli(['merge', one, one, '--out', join(dir, 'm')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('segment 1/2 again')
    const missing = await brownoutCli(['merge', one, '--out', join(dir, 'm')])
    expect(missing.stderr).toContain('segment 2/2 missing')
  }, 20_000)

  it('run --segment refuses a closed-model scenario with the fix', async () => {
    const r = await brownoutCli([
      'run',
      new URL('../fixtures/scenarios/closed.yaml', import.meta.url).pathname,
      '--direct',
      '--segment',
      '1/2',
      '--out',
      tempDir('brownout-seg-closed-'),
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/closed model .*give the load a rate/s)
  })
})
