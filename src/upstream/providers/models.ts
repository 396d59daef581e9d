import { DEFAULT_MODELS } from '../config.js'
import type { Exchange } from '../exchange.js'
import type { Plan } from '../plan.js'
import { jsonPlan } from '../replies.js'

const CREATED = 1_715_367_049

/** GET /v1/models, in the shape of the provider the request looks like. */
export function listModels(ex: Exchange): Plan {
  const ids = ex.upstream.config.models.length > 0 ? ex.upstream.config.models : DEFAULT_MODELS
  if (ex.provider === 'anthropic') {
    const data = ids.map((id) => ({
      type: 'model',
      id,
      display_name: id,
      created_at: new Date(CREATED * 1000).toISOString(),
    }))
    return jsonPlan(ex, { data, has_more: false, first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null }, 0)
  }
  const data = ids.map((id) => ({
    id,
    object: 'model',
    created: CREATED,
    owned_by: id.startsWith('claude') ? 'anthropic' : 'system',
  }))
  return jsonPlan(ex, { object: 'list', data }, 0)
}
