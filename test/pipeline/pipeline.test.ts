import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ExitCode } from '../../src/errors.js'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { exitCodeOf, regrade, runAndGrade } from '../../src/pipeline/pipeline.js'
import { RUN_SCHEMA_VERSION } from '../../src/record/meta.js'
import type { Scenario } from '../../src/scenario/schema.js'

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname

/** Two requests in 0.4 s, straight to the upstream. */
const tiny = (): Scenario => {
  const base = loadScenario(fixture('scenarios/short.yaml'))
  return { ...base, phases: [{ name: 'steady', duration: 400 }], load: { ...base.load, rate: 5 } }
}

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('the pipeline: run → grade → reports → exit code', () => {
  it('writes the record and the reports, and a saved run re-grades to the same result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brownout-pipeline-'))
    dirs.push(dir)
    const run = await runAndGrade({ scenario: tiny(), sut: { mode: 'direct' }, outDir: dir })
    expect(run.data.error).toBeUndefined()
    expect(run.data.scenario.name).toBe('short')
    expect(run.result.counts.requests).toBe(2)
    const meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))
    expect(meta).toMatchObject({ schema: `brownout.run/${RUN_SCHEMA_VERSION}`, schemaVersion: RUN_SCHEMA_VERSION })
    for (const f of ['result.json', 'junit.xml', 'summary.md', 'report.html'])
      expect(existsSync(join(dir, f))).toBe(true)
    const again = regrade(dir)
    expect(again.result).toEqual(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')))
    expect(exitCodeOf([again])).toBe(exitCodeOf([run]))
  })

  it('an interrupted run is INTERRUPTED (exit 3, a runtime stop), not INTERNAL, and is kept marked incomplete', async () => {
    const controller = new AbortController()
    controller.abort()
    const run = await runAndGrade({
      scenario: tiny(),
      sut: { mode: 'direct' },
      signal: controller.signal,
      drainMs: 100,
    })
    expect(run.data.error?.code).toBe('INTERRUPTED')
    expect(run.data.meta).toMatchObject({ complete: false, stopReason: 'interrupted' })
    expect(run.result.passed).toBe(false)
    expect(exitCodeOf([run])).toBe(ExitCode.runtime)
    // A suite grades a SUT that failed as that scenario's failure; an interrupt stays an interrupt.
    expect(exitCodeOf([run], { sutFailureIsVerdict: true })).toBe(ExitCode.runtime)
  })
})
