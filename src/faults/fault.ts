import type { z } from 'zod'
import type { ErrorSpec } from '../dialects/error-spec.js'
import type { Family, LimitsView } from '../dialects/family.js'
import type { DialectWire } from '../dialects/wire.js'
import type { Rng } from '../rng.js'
import type { Plan, Step } from '../upstream/plan.js'
import type { EffectDeclaration } from './effect.js'

/**
 * What a fault may use besides its own config and the planned response: the attempt's facts, never the upstream
 * (like a toxiproxy toxic, which sees its stub and not the proxy). Provider differences are asked of the dialect
 * and its family (`ctx.family.overloaded()`, `ctx.dialect.streamError(…)`), never branched on.
 */
export interface FaultContext {
  /** The API the attempt speaks (its in-band stream error, its malformed frames) and its family. */
  dialect: DialectWire
  /** `dialect.family`: error types, messages and the 429/overload/quota specs. */
  family: Family
  /** The request's model, when it names one. */
  model: string | null
  /** Whether the request asked for a stream. */
  stream: boolean
  /** Seeded from (seed, request id, attempt, rule, fault index): never Math.random(). */
  rng: Rng
  /** A clock reading when the faults are applied, ms since the Unix epoch. */
  nowMs: number
  /**
   * How far into its rule's window the attempt arrived, 0 to 1: the `during` phase or {from, to} window, or the
   * whole run when the rule has none. Absent when no window is known (a bare engine, an open-ended window).
   */
  windowProgress?: number
  /** The upstream's rate-limit buckets at that moment. */
  limits: LimitsView
  /** A family-shaped error response for this attempt (headers, request id, body). */
  error(spec: ErrorSpec, atMs?: number): Plan
}

/** A fault context without its RNG: what the upstream hands the rule engine for one attempt. */
export type FaultScene = Omit<FaultContext, 'rng'>

/**
 * A fault: a type name, a schema for its parameters (with `type` as the discriminator), and a pure function that
 * rewrites the planned response. Returning the plan unchanged means the fault does not apply (e.g. a stream fault
 * on a non-streaming response); the rule engine then does not count it as fired.
 */
export interface FaultDefinition<S extends z.ZodType = z.ZodType> {
  type: string
  summary: string
  /** A typical use, shown by `brownout list faults` and run by the fault contract suite. */
  example: z.input<S>
  /**
   * What the fault does to an attempt when it fires (fatal, transient, mid-stream, none) and what content survives:
   * the journal records it and grading reads it, so a new fault is graded without naming it anywhere else.
   */
  effect: EffectDeclaration<z.output<S>>
  schema: S
  apply(config: z.output<S>, plan: Plan, ctx: FaultContext): Plan
}

export function defineFault<S extends z.ZodType>(def: FaultDefinition<S>): FaultDefinition<S> {
  return def
}

/** Whether a plan is a 200 server-sent-event stream. */
export function isStream(plan: Plan): boolean {
  return plan.status === 200 && (plan.headers['content-type'] ?? '').startsWith('text/event-stream')
}

/**
 * Position in `plan.steps` just after the nth body write (n = 0: before the first write). A negative n counts
 * from the end: -1 is just before the last write (a stream without its terminal event).
 */
export function indexAfterWrites(plan: Plan, n: number): number {
  if (n < 0) n = Math.max(0, writeCount(plan) + n)
  let seen = 0
  for (let i = 0; i < plan.steps.length; i++) {
    if (seen === n) return i
    if (plan.steps[i]?.kind === 'write') seen++
  }
  return plan.steps.length
}

/** The number of body writes (SSE events for a stream). */
export function writeCount(plan: Plan): number {
  return plan.steps.filter((s) => s.kind === 'write').length
}

/**
 * Keeps the first `n` writes of a plan, then ends it with `ending` at the time of the next step
 * (or of the last kept one). The plan's headers are kept.
 */
export function cutAfterWrites(
  plan: Plan,
  n: number,
  ending: Step['kind'] & ('end' | 'reset' | 'close' | 'hang'),
): Plan {
  const at = indexAfterWrites(plan, n)
  const kept = plan.steps.slice(0, at).filter((s) => s.kind === 'write')
  const atMs = plan.steps[at]?.atMs ?? kept[kept.length - 1]?.atMs ?? plan.headersAtMs ?? 0
  return { ...plan, steps: [...kept, { kind: ending, atMs }] }
}

/** Parameters shared by the stream faults: after how many events they strike. */
export const AFTER_DESCRIPTION =
  'number of SSE events delivered first; negative counts from the end (-1: all but the terminal event)'
