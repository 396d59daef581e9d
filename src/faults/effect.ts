import type { Plan } from '../upstream/plan.js'

/**
 * What a fault does to the attempt it strikes, as the system under test meets it:
 * - `fatal`: an answer that retrying cannot help (a 4xx, a spent quota);
 * - `transient`: retrying may help (5xx, 408, 409, 429, 529, or no answer: a connection cut before any status);
 * - `mid-stream`: a 2xx whose body broke after it started (cut, stalled, an error or a bad frame inside);
 * - `none`: the answer is still a good answer (late, slow or with something clients must ignore).
 */
export type Effect = 'fatal' | 'transient' | 'mid-stream' | 'none'

/**
 * How much of the answer reaches the client. A stream's unit is the event; a JSON answer is one unit.
 * - `all`: every event, in order, and a proper end (possibly with a frame added);
 * - `prefix`: the first events (none, some, or every one of them) and then no proper end, or an error event;
 * - `none`: nothing of the answer (an error body, a different body, or no response).
 */
export type Content = 'all' | 'prefix' | 'none'

export interface FaultEffect {
  effect: Effect
  content: Content
}

/**
 * A fault's declaration: one effect, or a rule when the effect depends on the fault's config or on where it
 * struck. `of` reads the plan the fault produced (which carries what earlier faults of the rule did).
 */
export type EffectDeclaration<Config> =
  | FaultEffect
  | {
      /** How the effect varies, for `brownout list faults`: "transient before headers; mid-stream after a 2xx's". */
      summary: string
      of(config: Config, plan: Plan): FaultEffect
    }

/** A declaration in words, for `brownout list faults`: "fatal (content: none)", or the rule's summary. */
export function describeEffect(declared: EffectDeclaration<never>): string {
  return 'of' in declared ? declared.summary : `${declared.effect} (content: ${declared.content})`
}

/** No fault, or one that leaves a good answer: the attempt is whatever the provider's answer was. */
export const UNCHANGED: FaultEffect = { effect: 'none', content: 'all' }
/** A stream that stops or errors after its first events. */
export const BROKEN_STREAM: FaultEffect = { effect: 'mid-stream', content: 'prefix' }

/** The effect of a fault that fired, computed on the plan it produced. */
export function effectOf<Config>(declared: EffectDeclaration<Config>, config: Config, plan: Plan): FaultEffect {
  return 'of' in declared ? declared.of(config, plan) : declared
}

/**
 * Composes the effects of the faults of one rule, in the order they fired. A later fault sees the plan the earlier
 * ones produced, so its effect already accounts for them: the last fault whose effect is not `none` says what the
 * attempt is (a 503 then a reset after its headers: transient; a cut stream then a 503 that replaces it: transient;
 * a quota 429 cut after its headers, its body lost: transient), and a `none` (a delay) keeps what came before.
 */
export function composeEffects(before: FaultEffect, after: FaultEffect): FaultEffect {
  return after.effect === 'none' ? before : after
}

/** Statuses whose meaning for a retry is settled: "try again later". */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504, 529])
/** Statuses whose meaning for a retry is settled: "this request is wrong; retrying cannot help". */
export const FATAL_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 413, 422])

/**
 * The effect of an answer with this status. Beyond the settled lists, the official SDKs' rule: 409 and every 5xx
 * may be retried, any other 4xx may not; below 400 the status says nothing is wrong.
 */
export function statusEffect(status: number): Effect {
  if (TRANSIENT_STATUSES.has(status)) return 'transient'
  if (FATAL_STATUSES.has(status)) return 'fatal'
  if (status < 400) return 'none'
  return status === 409 || status >= 500 ? 'transient' : 'fatal'
}

/** A whole error answer (the body is the provider's error, nothing of the answer): the status says which effect. */
export function errorAnswer(status: number): FaultEffect {
  return { effect: statusEffect(status), content: 'none' }
}
