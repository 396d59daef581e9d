import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import type { GradeResult } from '../grade/grade.js'
import type { RunData } from '../record/run-data.js'
import { type ReproBundle, reproBundles, safeSegment } from './bundle.js'

/** The narrowed scenario as YAML, as `brownout run` reads it back (the parsed form round-trips the schema). */
export function scenarioYaml(bundle: ReproBundle): string {
  const plain = JSON.parse(JSON.stringify(bundle.scenario)) as unknown
  return `# Narrowed by brownout from a failing run: see README.md beside this file.\n${stringify(plain, { lineWidth: 0 })}`
}

/**
 * Writes `repro/<scenario>/<check>/` under `dir` for every failing check with example requests, replacing the
 * scenario's bundles of an earlier grading (a re-graded run keeps none for a check that passes now); returns the
 * folders.
 */
export function writeRepros(dir: string, data: RunData, result: GradeResult): string[] {
  rmSync(reproDir(dir, data.scenario.name), { recursive: true, force: true })
  return reproBundles(data, result).map((bundle) => {
    const folder = join(dir, bundle.dir)
    mkdirSync(folder, { recursive: true })
    writeFileSync(join(folder, 'scenario.yaml'), scenarioYaml(bundle))
    for (const [name, text] of Object.entries(bundle.files)) writeFileSync(join(folder, name), text)
    chmodSync(join(folder, 'curl.sh'), 0o755)
    return folder
  })
}

/** Where a scenario's repro bundles go under a run's folder. */
export function reproDir(dir: string, scenario: string): string {
  return join(dir, 'repro', safeSegment(scenario))
}
