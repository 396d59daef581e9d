import { type GradeResult, grade } from '../../src/grade/grade.js'
import { writeReports } from '../../src/report/write.js'
import { runScenario } from '../../src/run/run.js'
import { loadScenario } from '../../src/scenario/load.js'
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
  const result = await runScenario({
    scenario,
    sut: { mode: 'sut', profile, file: GATEWAY },
    ...(options.outDir ? { outDir: options.outDir } : {}),
  })
  const data = { meta: result.meta, scenario, records: result.records, journal: result.journal }
  const graded = grade(data)
  if (options.outDir) writeReports(options.outDir, [{ result: graded, data }])
  return graded
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
