import { type Answer, answerFor } from '../upstream/content.js'
import type { Exchange } from '../upstream/exchange.js'
import type { Plan } from '../upstream/plan.js'
import { errorPlan } from '../upstream/replies.js'
import type { BodyProblem } from './error-spec.js'

export { promptTokens } from './tokens.js'

/** The deterministic answer for this exchange's request id and max_tokens. */
export function answerOf(ex: Exchange, maxTokens: number | null | undefined): Answer {
  return answerFor(ex.upstream.seed, ex.requestId, maxTokens ?? undefined, ex.upstream.config.content)
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
