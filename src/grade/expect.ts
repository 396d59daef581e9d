import type { LocatedYaml } from '../config/load-yaml.js'
import { didYouMean, type Problem } from '../config/problems.js'
import type { Scenario } from '../scenario/schema.js'
import { CHECKS, checkDefinition } from './registry.js'
import { parseCheckKey, parseThreshold, type Threshold } from './threshold.js'

/** One expectation, resolved: which check, in which phase, against what, and whether it can fail the run. */
export interface Expectation {
  key: string
  name: string
  phase: string | null
  threshold: Threshold
  required: boolean
  source: 'scenario' | 'default'
}

type ExpectValue = Scenario['expect'][string]

function parts(value: ExpectValue): { threshold: string | number; required: boolean } {
  return typeof value === 'object'
    ? { threshold: value.threshold, required: value.required }
    : { threshold: value, required: true }
}

/** What is wrong with a scenario's `expect` block: unknown checks, unknown phases, bad thresholds. */
export function expectProblems(
  expect: Scenario['expect'],
  phaseNames: string[],
): Array<{ key: string; message: string; hint?: string }> {
  const problems: Array<{ key: string; message: string; hint?: string }> = []
  for (const [key, value] of Object.entries(expect)) {
    const { name, phase } = parseCheckKey(key)
    if (!checkDefinition(name)) {
      const guess = didYouMean(
        name,
        CHECKS.map((c) => c.name),
      )
      problems.push({
        key,
        message: `unknown check "${name}"`,
        hint: guess ? `did you mean "${guess}"?` : 'see `brownout list checks`',
      })
      continue
    }
    if (phase !== null && !phaseNames.includes(phase)) {
      problems.push({ key, message: `[${phase}] names no phase`, hint: `phases are: ${phaseNames.join(', ')}` })
    }
    const parsed = parseThreshold(parts(value).threshold)
    if (typeof parsed === 'string') problems.push({ key, message: parsed })
  }
  return problems
}

/** The problems of a scenario's `expect` block, located in its file (for the scenario loader). */
export function expectChecks(scenario: Scenario, doc: LocatedYaml): Problem[] {
  return expectProblems(
    scenario.expect,
    scenario.phases.map((p) => p.name),
  ).map((p) => ({
    file: doc.file,
    ...doc.locate(['expect'], p.key),
    message: `expect.${p.key}: ${p.message}`,
    ...(p.hint ? { hint: p.hint } : {}),
  }))
}

/** The scenario's expectations plus the literature-backed defaults of every check it does not mention. */
export function resolveExpectations(expect: Scenario['expect']): Expectation[] {
  const out: Expectation[] = []
  const mentioned = new Set<string>()
  for (const [key, value] of Object.entries(expect)) {
    const { name, phase } = parseCheckKey(key)
    const { threshold, required } = parts(value)
    const parsed = parseThreshold(threshold)
    if (!checkDefinition(name) || typeof parsed === 'string') continue
    if (phase === null) mentioned.add(name)
    out.push({ key, name, phase, threshold: parsed, required, source: 'scenario' })
  }
  for (const check of CHECKS) {
    if (!check.defaultExpect || mentioned.has(check.name)) continue
    const parsed = parseThreshold(check.defaultExpect.threshold)
    if (typeof parsed === 'string') continue
    out.push({
      key: check.name,
      name: check.name,
      phase: null,
      threshold: parsed,
      required: check.defaultExpect.required,
      source: 'default',
    })
  }
  return out
}
