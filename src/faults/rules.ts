import { z } from 'zod'
import { type Clock, systemClock } from '../clock.js'
import { didYouMean } from '../config/problems.js'
import { durationSchema } from '../duration.js'
import type { PhaseWindow } from '../record/phase.js'
import { rngFor } from '../rng.js'
import type { Plan } from '../upstream/plan.js'
import { type AttemptFacts, headerOf } from './attempt-facts.js'
import { type Content, composeEffects, type Effect, effectOf, type FaultEffect, UNCHANGED } from './effect.js'
import type { FaultScene } from './fault.js'
import { type FaultConfig, faultDefinition, faultSchema } from './registry.js'

export const matcherSchema = z.strictObject({
  attempt: z
    .union([z.number().int().positive(), z.array(z.number().int().positive()).min(1)])
    .optional()
    .describe('attempt number(s) of each logical request: 1, or [1, 2] to fail the first two'),
  probability: z.number().min(0).max(1).optional().describe('chance of firing, seeded per attempt'),
  during: z
    .union([z.string().min(1), z.strictObject({ from: durationSchema.optional(), to: durationSchema.optional() })])
    .optional()
    .describe('a phase name, or a window {from, to} since start'),
  every: z.number().int().positive().optional().describe('every nth request at this upstream'),
  path: z.string().optional().describe('request path glob, e.g. /v1/chat/*'),
  model: z.string().optional().describe('model glob, e.g. gpt-4o*'),
  stream: z.boolean().optional().describe('only streaming (true) or non-streaming (false) requests'),
  prefill: z
    .boolean()
    .optional()
    .describe(
      'only requests that end on an assistant turn (true: an assistant prefill, e.g. a resumed stream) or that do not (false)',
    ),
  header: z.record(z.string(), z.string()).optional().describe('request headers that must match (value globs)'),
  request_id: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe('logical request id glob(s), e.g. brn-*-3 (repro bundles replay exactly the failing requests)'),
})

export const ruleSchema = z
  .strictObject({
    name: z.string().optional().describe('shown in the journal; defaults to the rule index'),
    when: matcherSchema.default({}),
    fault: faultSchema.optional(),
    faults: z.array(faultSchema).min(1).optional().describe('several faults that compose, applied in order'),
  })
  .refine((r) => (r.fault === undefined) !== (r.faults === undefined), {
    message: 'a rule needs exactly one of `fault` (one) or `faults` (a list)',
  })

export type Rule = z.output<typeof ruleSchema>
export type RuleInput = z.input<typeof ruleSchema>
export const rulesSchema = z.array(ruleSchema)

export interface FiredFaults {
  rule: string
  faults: string[]
  plan: Plan
  /** What the fired faults together do to the attempt (`composeEffects`); `none` when none fired. */
  effect: Effect
  /** What of the answer survives them. */
  content: Content
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${escaped}$`)
}

const globCache = new Map<string, RegExp>()
function globMatch(glob: string, value: string): boolean {
  let re = globCache.get(glob)
  if (!re) {
    re = globToRegExp(glob)
    globCache.set(glob, re)
  }
  return re.test(value)
}

/** Names every `during` that names no phase (path-prefixed), for validation. */
export function unknownPhases(
  rules: readonly Rule[],
  phases: readonly PhaseWindow[],
): Array<{ path: Array<string | number>; message: string }> {
  const names = new Set(phases.map((p) => p.name))
  const problems: Array<{ path: Array<string | number>; message: string }> = []
  rules.forEach((rule, i) => {
    const during = rule.when.during
    if (typeof during === 'string' && !names.has(during)) {
      const guess = didYouMean(during, names)
      const known =
        names.size === 0
          ? 'there are no phases here; use a window {from: 10s, to: 20s}'
          : guess
            ? `did you mean "${guess}"? phases are: ${[...names].join(', ')}`
            : `phases are: ${[...names].join(', ')}`
      problems.push({ path: [i, 'when', 'during'], message: `"${during}" names no phase (${known})` })
    }
  })
  return problems
}

/**
 * Decides which rule fires for an attempt (first match wins) and applies its faults to the planned response.
 * Randomness is seeded per attempt from (seed, request id, attempt, rule), so the faults a run gets do not depend
 * on how concurrent requests interleave.
 */
export class FaultEngine {
  private rules: Rule[]
  private startedAt: number

  constructor(
    rules: readonly Rule[],
    private readonly options: { seed: number; clock?: Clock; startedAt?: number; phases?: readonly PhaseWindow[] },
  ) {
    this.rules = [...rules]
    this.startedAt = options.startedAt ?? (options.clock ?? systemClock).now()
  }

  /** Moves the start that `during` windows and phases count from (a run sets it when load begins). */
  setStart(startedAt: number): void {
    this.startedAt = startedAt
  }

  list(): Rule[] {
    return [...this.rules]
  }

  replace(rules: readonly Rule[]): void {
    this.rules = [...rules]
  }

  private matches(rule: Rule, index: number, ex: AttemptFacts, seq: number): boolean {
    const w = rule.when
    if (
      w.attempt !== undefined &&
      !(Array.isArray(w.attempt) ? w.attempt.includes(ex.attempt) : w.attempt === ex.attempt)
    )
      return false
    if (
      w.request_id !== undefined &&
      !(Array.isArray(w.request_id) ? w.request_id : [w.request_id]).some((g) => globMatch(g, ex.requestId))
    )
      return false
    if (w.path !== undefined && !globMatch(w.path, ex.path)) return false
    if (w.model !== undefined && !(ex.model !== null && globMatch(w.model, ex.model))) return false
    if (w.stream !== undefined && ex.stream !== w.stream) return false
    if (w.prefill !== undefined && ex.prefill !== w.prefill) return false
    if (w.every !== undefined && seq % w.every !== 0) return false
    if (w.header !== undefined) {
      for (const [name, glob] of Object.entries(w.header)) {
        const value = headerOf(ex.headers, name.toLowerCase())
        if (value === undefined || !globMatch(glob, value)) return false
      }
    }
    if (w.during !== undefined && !this.inWindow(w.during, ex.arrivalMs)) return false
    if (w.probability !== undefined) {
      const draw = rngFor(this.options.seed, ex.requestId, ex.attempt, 'rule', index)()
      if (draw >= w.probability) return false
    }
    return true
  }

  private inWindow(during: NonNullable<Rule['when']['during']>, atMs: number): boolean {
    const t = atMs - this.startedAt
    if (typeof during === 'string') {
      const phase = this.options.phases?.find((p) => p.name === during)
      return phase !== undefined && t >= phase.startMs && t < phase.endMs
    }
    return t >= (during.from ?? 0) && t < (during.to ?? Number.POSITIVE_INFINITY)
  }

  /** How far into the rule's window (its `during`, else the run's phases) `atMs` is, 0 to 1; undefined if unbounded. */
  private progress(during: Rule['when']['during'], atMs: number): number | undefined {
    const t = atMs - this.startedAt
    const phases = this.options.phases ?? []
    let from: number | undefined
    let to: number | undefined
    if (typeof during === 'string') {
      const phase = phases.find((p) => p.name === during)
      from = phase?.startMs
      to = phase?.endMs
    } else if (during !== undefined) {
      from = during.from ?? 0
      to = during.to
    } else if (phases.length > 0) {
      from = phases[0]?.startMs
      to = phases[phases.length - 1]?.endMs
    }
    if (from === undefined || to === undefined || !(to > from)) return undefined
    return Math.min(1, Math.max(0, (t - from) / (to - from)))
  }

  /**
   * Applies the first matching rule's faults to `plan`; undefined when no rule matches. `sceneOf` gives the faults'
   * context, read only when a rule matches (most attempts match none).
   */
  apply(ex: AttemptFacts, seq: number, plan: Plan, sceneOf: () => FaultScene): FiredFaults | undefined {
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]
      if (!rule || !this.matches(rule, i, ex, seq)) continue
      return applyFaults(
        (rule.faults ?? (rule.fault ? [rule.fault] : [])) as FaultConfig[],
        rule.name ?? String(i),
        ex,
        withProgress(sceneOf(), this.progress(rule.when.during, ex.arrivalMs)),
        plan,
        this.options.seed,
      )
    }
    return undefined
  }
}

function withProgress(scene: FaultScene, windowProgress: number | undefined): FaultScene {
  return windowProgress === undefined ? scene : { ...scene, windowProgress }
}

/**
 * Applies a list of faults in order; a fault that leaves the plan unchanged did not fire. Each fired fault's
 * declared effect is computed on the plan it produced, and composed in order (`composeEffects`).
 */
export function applyFaults(
  faults: readonly FaultConfig[],
  rule: string,
  ex: Pick<AttemptFacts, 'requestId' | 'attempt'>,
  scene: FaultScene,
  plan: Plan,
  seed: number,
): FiredFaults {
  const fired: string[] = []
  let current = plan
  let effect: FaultEffect = UNCHANGED
  faults.forEach((config, i) => {
    const def = faultDefinition(config.type)
    if (!def) return
    const next = def.apply(config, current, { ...scene, rng: rngFor(seed, ex.requestId, ex.attempt, rule, i) })
    if (next !== current) {
      fired.push(config.type)
      effect = composeEffects(effect, effectOf(def.effect, config, next))
    }
    current = next
  })
  return { rule, faults: fired, plan: current, ...effect }
}
