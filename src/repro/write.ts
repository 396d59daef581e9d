import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import type { GradeResult } from '../grade/grade.js'
import type { RunData } from '../record/run-data.js'
import { type ReproBundle, reproBundles } from './bundle.js'

/** The narrowed scenario as YAML, as `brownout run` reads it back (the parsed form round-trips the schema). */
export function scenarioYaml(bundle: ReproBundle): string {
  const plain = JSON.parse(JSON.stringify(bundle.scenario)) as unknown
  return `# Narrowed by brownout from a failing run: see README.md beside this file.\n${stringify(plain, { lineWidth: 0 })}`
}

/** Writes `repro/<scenario>/<check>/` under `dir` for every failing check with example requests; returns the folders. */
export function writeRepros(dir: string, data: RunData, result: GradeResult): string[] {
  return reproBundles(data, result).map((bundle) => {
    const folder = join(dir, bundle.dir)
    mkdirSync(folder, { recursive: true })
    writeFileSync(join(folder, 'scenario.yaml'), scenarioYaml(bundle))
    for (const [name, text] of Object.entries(bundle.files)) writeFileSync(join(folder, name), text)
    chmodSync(join(folder, 'curl.sh'), 0o755)
    return folder
  })
}
