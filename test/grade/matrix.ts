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
