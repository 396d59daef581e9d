import type { BodyResult } from './body.js'
import type { Exchange } from './exchange.js'
import type { Plan } from './plan.js'
import { errorPlan, rateLimitSpec } from './replies.js'
import type { Route } from './router.js'

const OPENAI_BAD_JSON =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"

/** The answer to a request before any fault applies: the provider's success, or the error it would send. */
export function decide(
  ex: Exchange,
  found: { route: Route; methodOk: boolean } | undefined,
  body: BodyResult,
  jsonError: string | undefined,
): Plan {
  if (body.kind === 'too-large') {
    const message =
      ex.provider === 'anthropic'
        ? `Request exceeds the maximum allowed number of bytes (${body.limitBytes}).`
        : `Request body too large: the limit is ${body.limitBytes} bytes.`
    const plan = errorPlan(ex, {
      status: 413,
      type: ex.provider === 'anthropic' ? 'request_too_large' : 'invalid_request_error',
      code: 'request_too_large',
      message,
    })
    plan.headers.connection = 'close'
    return plan
  }
  if (!found) {
    if (ex.provider === 'anthropic')
      return errorPlan(ex, { status: 404, type: 'not_found_error', message: `Not Found: ${ex.method} ${ex.path}` })
    return errorPlan(ex, { status: 404, message: `Invalid URL (${ex.method} ${ex.path})` })
  }
  if (!found.methodOk) {
    return errorPlan(ex, {
      status: 405,
      type: 'invalid_request_error',
      message: `Invalid method for URL (${ex.method} ${ex.path}): use ${found.route.method}.`,
    })
  }
  if (jsonError !== undefined) {
    const message = ex.provider === 'anthropic' ? `Invalid JSON in request body: ${jsonError}` : OPENAI_BAD_JSON
    return errorPlan(ex, { status: 400, message })
  }
  if (found.route.generates) {
    const refused = rateLimited(ex)
    if (refused) return refused
  }
  return found.route.handle(ex)
}

/** A 429 from the upstream's own RPM/TPM buckets, with Retry-After computed from the bucket. */
function rateLimited(ex: Exchange): Plan | undefined {
  const limiter = ex.upstream.limiter
  const admission = limiter.admit(ex.tokenCost)
  if (admission.ok) return undefined
  const kind = admission.kind ?? 'requests'
  const bucket = kind === 'requests' ? limiter.requests : limiter.tokens
  return errorPlan(
    ex,
    rateLimitSpec(ex, kind, {
      used: bucket.limit - bucket.remaining(),
      requested: kind === 'requests' ? 1 : ex.tokenCost,
      retryAfterMs: admission.retryAfterMs ?? 1000,
    }),
  )
}
