import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { type LocatedYaml, loadYamlFile } from '../config/load-yaml.js'
import type { Problem } from '../config/problems.js'
import { unknownPhases } from '../faults/rules.js'
import type { PhaseWindow } from '../record/phase.js'
import { type Scenario, scenarioSchema } from './schema.js'

/**
 * Checks that need the whole scenario: phase names, duplicate ports, upstream references. The `expect` block's
 * check names are the grader's to know (grade/expect.ts `expectChecks`): this layer does not import it.
 */
export function crossChecks(scenario: Scenario, doc: LocatedYaml): Problem[] {
  const problems: Problem[] = []
  const at = (path: Array<string | number>, message: string, hint?: string) =>
    problems.push({
      file: doc.file,
      ...doc.locate(path),
      message: `${path.join('.')}: ${message}`,
      ...(hint ? { hint } : {}),
    })
  const phases = phaseWindows(scenario)
  const names = new Set<string>()
  scenario.phases.forEach((p, i) => {
    if (names.has(p.name))
      at(['phases', i, 'name'], `phase "${p.name}" is declared twice`, 'give each phase its own name')
    names.add(p.name)
  })
  const ports = new Map<number, string>()
  for (const [name, upstream] of Object.entries(scenario.upstreams)) {
    for (const p of unknownPhases(upstream.faults, phases)) at(['upstreams', name, 'faults', ...p.path], p.message)
    if (upstream.port === 0) continue
    const other = ports.get(upstream.port)
    if (other)
      at(
        ['upstreams', name, 'port'],
        `port ${upstream.port} is also used by upstream "${other}"`,
        'use another port, or 0 for a free one',
      )
    ports.set(upstream.port, name)
  }
  const upstreamNames = Object.keys(scenario.upstreams)
  const checkUpstream = (value: string | undefined, path: Array<string | number>) => {
    if (value !== undefined && !upstreamNames.includes(value)) {
      at(path, `"${value}" names no upstream`, `upstreams are: ${upstreamNames.join(', ')}`)
    }
  }
  checkUpstream(scenario.load.request.upstream, ['load', 'request', 'upstream'])
  for (const [i, m] of (scenario.load.mix ?? []).entries()) checkUpstream(m.upstream, ['load', 'mix', i, 'upstream'])
  return problems
}

/**
 * Reads a scenario file: YAML, schema, cross checks, and `extraChecks`; every problem at once, as file:line:col.
 * It does not know the checks an `expect` block may name: use `loadScenario` (pipeline/load-scenario.ts), which
 * adds the grader's.
 */
export function readScenarioFile(file: string, extraChecks?: (s: Scenario, doc: LocatedYaml) => Problem[]): Scenario {
  const scenario = loadYamlFile(file, scenarioSchema, (scenario, doc) => [
    ...crossChecks(scenario, doc),
    ...clientProblems(scenario, doc),
    ...(extraChecks?.(scenario, doc) ?? []),
  ])
  // The client profile is named relative to the scenario; the run needs where it is.
  return scenario.client ? { ...scenario, client: resolve(dirname(file), scenario.client) } : scenario
}

/** A `client:` that names no file. */
function clientProblems(scenario: Scenario, doc: LocatedYaml): Problem[] {
  if (!scenario.client || existsSync(resolve(dirname(doc.file), scenario.client))) return []
  return [
    {
      file: doc.file,
      ...doc.locate(['client']),
      message: `client: no file ${scenario.client}`,
      hint: 'name a client profile (kind: client) relative to the scenario file',
    },
  ]
}

/** Where each phase sits on the run's timeline, ms since load started. */
export function phaseWindows(scenario: Pick<Scenario, 'phases'>): PhaseWindow[] {
  let t = 0
  return scenario.phases.map((p) => {
    const w = { name: p.name, startMs: t, endMs: t + p.duration }
    t += p.duration
    return w
  })
}

export function totalDurationMs(scenario: Pick<Scenario, 'phases'>): number {
  return scenario.phases.reduce((sum, p) => sum + p.duration, 0)
}

/**
 * `--fast`: shrinks the scenario's timeline (phases, stages, `during` windows) by `factor`. Latencies, timeouts
 * and fault parameters such as Retry-After are left alone: they are what the system under test is judged on.
 */
export function scaleScenario(scenario: Scenario, factor: number): Scenario {
  if (factor === 1) return scenario
  const scale = (ms: number) => Math.max(1, Math.round(ms * factor))
  const upstreams = Object.fromEntries(
    Object.entries(scenario.upstreams).map(([name, u]) => [
      name,
      {
        ...u,
        faults: u.faults.map((rule) => {
          const during = rule.when.during
          if (during === undefined || typeof during === 'string') return rule
          const window: { from?: number; to?: number } = {}
          if (during.from !== undefined) window.from = scale(during.from)
          if (during.to !== undefined) window.to = scale(during.to)
          return { ...rule, when: { ...rule.when, during: window } }
        }),
      },
    ]),
  )
  const stages = scenario.load.stages?.map((s) => ({ ...s, duration: scale(s.duration) }))
  return {
    ...scenario,
    upstreams,
    phases: scenario.phases.map((p) => ({ ...p, duration: scale(p.duration) })),
    load: { ...scenario.load, ...(stages ? { stages } : {}) },
  }
}
