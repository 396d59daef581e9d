import { DEFAULT_MODELS } from './config.js'
import type { Exchange } from './exchange.js'
import type { Plan } from './plan.js'
import { jsonPlan } from './replies.js'

const CREATED = 1_715_367_049

/** GET /v1/models, in the shape of the family the request looks like (its headers, or the upstream's provider). */
export function listModels(ex: Exchange): Plan {
  const ids = ex.upstream.config.models.length > 0 ? ex.upstream.config.models : DEFAULT_MODELS
  return jsonPlan(ex, ex.family.listModels(ids, CREATED), 0)
}
