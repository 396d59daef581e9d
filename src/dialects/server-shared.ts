import { type Answer, answerFor } from '../upstream/content.js'
import type { Exchange } from '../upstream/exchange.js'
import type { Plan } from '../upstream/plan.js'
import { errorPlan } from '../upstream/replies.js'
import type { BodyProblem } from './error-spec.js'

/** The deterministic answer for this exchange's request id and max_tokens. */
export function answerOf(ex: Exchange, maxTokens: number | null | undefined): Answer {
  return answerFor(ex.upstream.seed, ex.requestId, maxTokens ?? undefined, ex.upstream.config.content)
}

/** All the text in a list of chat/message contents (strings or parts with `text`), for prompt token estimates. */
export function promptTokens(value: unknown): number {
  let chars = 0
  // Bounded depth: hostile bodies nest arrays thousands deep.
  const walk = (v: unknown, depth: number): void => {
    if (depth > 32) return
    if (typeof v === 'string') chars += v.length
    else if (Array.isArray(v)) for (const item of v) walk(item, depth + 1)
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>
      walk(o.content, depth + 1)
      walk(o.text, depth + 1)
    }
  }
  walk(value, 0)
  return Math.max(1, Math.ceil(chars / 4))
}

/** 404 for a model that is not in the configured list (no list: every model exists). */
export function unknownModelPlan(ex: Exchange, model: string): Plan | undefined {
  const models = ex.upstream.config.models
  if (models.length === 0 || models.includes(model)) return undefined
  return errorPlan(ex, ex.family.unknownModel(model))
}

export function badRequestPlan(ex: Exchange, problem: BodyProblem): Plan {
  return errorPlan(ex, { status: 400, message: problem.message, param: problem.param, code: problem.code })
}

/** Seconds since the epoch, as `created` fields carry. */
export function unixSeconds(ex: Exchange): number {
  return Math.floor(ex.arrivalMs / 1000)
}
