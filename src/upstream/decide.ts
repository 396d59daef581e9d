import type { BodyResult } from './body.js'
import type { Exchange } from './exchange.js'
import type { Plan } from './plan.js'
import { errorPlan } from './replies.js'
import type { FoundRoute } from './router.js'

/** The answer to a request before any fault applies: the provider's success, or the error it would send. */
export function decide(
  ex: Exchange,
  found: FoundRoute | undefined,
  body: BodyResult,
  jsonError: string | undefined,
): Plan {
  if (body.kind === 'too-large') {
    const plan = errorPlan(ex, ex.family.tooLarge(body.limitBytes))
    plan.headers.connection = 'close'
    return plan
  }
  if (!found) return errorPlan(ex, ex.family.notFound(ex.method, ex.path))
  if (!found.methodOk) {
    return errorPlan(ex, {
      status: 405,
      type: 'invalid_request_error',
      message: `Invalid method for URL (${ex.method} ${ex.path}): use ${found.route.method}.`,
    })
  }
  if (jsonError !== undefined) return errorPlan(ex, ex.family.badJson(jsonError))
  if (found.route.generates) {
    const refused = rateLimited(ex)
    if (refused) return refused
  }
  return found.route.handle(ex)
}

/** A 429 from the upstream's own RPM/TPM buckets (their refusal at arrival), with Retry-After from the bucket. */
function rateLimited(ex: Exchange): Plan | undefined {
  const refused = ex.refused
  if (!refused) return undefined
  return errorPlan(
    ex,
    ex.family.rateLimit({
      kind: refused.kind,
      model: ex.model,
      limit: refused.limit,
      used: refused.used,
      requested: refused.kind === 'requests' ? 1 : ex.tokenCost,
      retryAfterMs: refused.retryAfterMs,
    }),
  )
}
