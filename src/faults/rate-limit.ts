import { z } from 'zod'
import { goDuration } from '../duration.js'
import { rateLimitSpec } from '../upstream/replies.js'
import { defineFault } from './fault.js'
import { drawRetryAfterMs, retryAfterSchema } from './retry-after.js'

export const rateLimit = defineFault({
  type: 'rate-limit',
  summary: '429 for requests or tokens, with rate-limit headers at zero and a Retry-After',
  example: { type: 'rate-limit', limit: 'requests', retry_after: { min: '1.3s', max: '3.7s' } },
  effect: { effect: 'transient', content: 'none' },
  schema: z.strictObject({
    type: z.literal('rate-limit'),
    limit: z.enum(['requests', 'tokens']).default('requests').describe('which limit was hit'),
    retry_after: retryAfterSchema
      .default(1000)
      .describe(
        'when the limit resets; sent as retry-after and retry-after-ms; a range { min, max } draws one per attempt',
      ),
    send_retry_after: z.boolean().default(true).describe('false: no retry-after headers (the client must guess)'),
  }),
  apply: (cfg, _plan, ctx) => {
    const { ex } = ctx
    const retryAfterMs = drawRetryAfterMs(cfg.retry_after, ctx.rng)
    const bucket = cfg.limit === 'requests' ? ex.upstream.limiter.requests : ex.upstream.limiter.tokens
    const plan = ctx.error(
      rateLimitSpec(ex, cfg.limit, {
        used: bucket.limit,
        requested: 1,
        retryAfterMs,
        sendRetryAfter: cfg.send_retry_after,
      }),
    )
    if (ex.provider === 'openai') {
      plan.headers[`x-ratelimit-remaining-${cfg.limit}`] = '0'
      plan.headers[`x-ratelimit-reset-${cfg.limit}`] = goDuration(retryAfterMs)
    } else {
      const resetAt = new Date(ex.upstream.clock.now() + retryAfterMs).toISOString().replace(/\.\d+Z$/, 'Z')
      plan.headers[`anthropic-ratelimit-${cfg.limit}-remaining`] = '0'
      plan.headers[`anthropic-ratelimit-${cfg.limit}-reset`] = resetAt
    }
    return plan
  },
})
