import { expect } from 'vitest'
import type { GradeResult } from '../../src/grade/grade.js'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { runAndGrade } from '../../src/pipeline/pipeline.js'
import type { Scenario } from '../../src/scenario/schema.js'
import { sutProfileSchema } from '../../src/sut/profile.js'

const GATEWAY = new URL('../../examples/gateways/gateway.mjs', import.meta.url).pathname
const SCENARIOS = new URL('../../scenarios/', import.meta.url).pathname

/** Runs a catalogue scenario through the reference gateway configured with `env`, and grades it. */
export async function runThroughGateway(
  scenarioName: string,
  env: Record<string, string> = {},
  options: { outDir?: string; edit?: (s: Scenario) => Scenario } = {},
): Promise<GradeResult> {
  const loaded = loadScenario(`${SCENARIOS}${scenarioName}.yaml`)
  const scenario = options.edit ? options.edit(loaded) : loaded
  const upstreams = Object.keys(scenario.upstreams)
    .map((n) => `{{upstreams.${n}.url}}`)
    .join(',')
  const profile = sutProfileSchema.parse({
    name: `gateway ${JSON.stringify(env)}`,
    command: [process.execPath, GATEWAY],
    env: { PORT: '{{port}}', UPSTREAMS: upstreams, TRY_TIMEOUT_MS: '2000', DEADLINE_MS: '8000', ...env },
    ready: { path: '/health', timeout: 10_000 },
  })
  const { result } = await runAndGrade({
    scenario,
    sut: { mode: 'sut', profile, file: GATEWAY },
    ...(options.outDir ? { outDir: options.outDir } : {}),
  })
  return result
}

export function verdictOf(result: GradeResult, key: string): string {
  const c = result.checks.find((x) => x.key === key)
  if (!c) throw new Error(`no check ${key} in ${result.scenario.name}`)
  return c.verdict
}

/** A readable list of what failed, for assertion messages. */
export function failures(result: GradeResult): string {
  return result.checks
    .filter((c) => c.verdict === 'fail')
    .map((c) => `${c.key}=${c.value} (${c.evidence})`)
    .join('; ')
}

/**
 * The run passes: no required check failed, it completed, and brownout kept up. A run that is harness-limited
 * (brownout's own lag, on a busy machine, could have changed the verdicts) is no verdict either way: it passes this
 * assertion only when no required check failed, and says so on stderr.
 */
export function expectPasses(result: GradeResult): void {
  if (result.passed) return
  const failed = result.checks.some((c) => c.verdict === 'fail' && c.required)
  if (!failed && result.complete && result.harnessLimited !== null) {
    console.warn(`${result.scenario.name}: harness-limited, no required check failed (${result.harnessLimited})`)
    return
  }
  throw new Error(
    `${result.scenario.name} did not pass: ${failures(result) || (result.complete ? 'no failed check' : 'incomplete run')}`,
  )
}

/** A validity-matrix row: scenario, the check that judges it, the good gateway's knobs, the defect's knobs. */
export type Row = [scenario: string, check: string, good: Record<string, string>, defect: Record<string, string>]

/** The scenario passes on the reference gateway with the `good` knobs, its check among the passes. */
export async function goodRow(scenario: string, check: string, good: Record<string, string>): Promise<void> {
  const result = await runThroughGateway(scenario, good)
  expectPasses(result)
  expect(verdictOf(result, check)).toBe('pass')
}

/** With the defect's knobs, the check meant for it fails, and so does the run. */
export async function defectRow(
  scenario: string,
  check: string,
  _good: Record<string, string>,
  defect: Record<string, string>,
): Promise<void> {
  const result = await runThroughGateway(scenario, defect)
  expect(verdictOf(result, check), failures(result)).toBe('fail')
  expect(result.passed).toBe(false)
}
