import { z } from 'zod'
import { durationSchema, goDuration } from '../duration.js'
import { rateLimitSpec } from '../upstream/replies.js'
import { defineFault } from './fault.js'

export const rateLimit = defineFault({
  type: 'rate-limit',
  summary: '429 for requests or tokens, with rate-limit headers at zero and a Retry-After',
  example: { type: 'rate-limit', limit: 'requests', retry_after: '2s' },
  schema: z.strictObject({
    type: z.literal('rate-limit'),
    limit: z.enum(['requests', 'tokens']).default('requests').describe('which limit was hit'),
    retry_after: durationSchema.default(1000).describe('when the limit resets; sent as retry-after and retry-after-ms'),
    send_retry_after: z.boolean().default(true).describe('false: no retry-after headers (the client must guess)'),
  }),
  apply: (cfg, _plan, ctx) => {
    const { ex } = ctx
    const bucket = cfg.limit === 'requests' ? ex.upstream.limiter.requests : ex.upstream.limiter.tokens
    const plan = ctx.error(
      rateLimitSpec(ex, cfg.limit, {
        used: bucket.limit,
        requested: 1,
        retryAfterMs: cfg.retry_after,
        sendRetryAfter: cfg.send_retry_after,
      }),
    )
    if (ex.provider === 'openai') {
      plan.headers[`x-ratelimit-remaining-${cfg.limit}`] = '0'
      plan.headers[`x-ratelimit-reset-${cfg.limit}`] = goDuration(cfg.retry_after)
    } else {
      const resetAt = new Date(ex.upstream.clock.now() + cfg.retry_after).toISOString().replace(/\.\d+Z$/, 'Z')
      plan.headers[`anthropic-ratelimit-${cfg.limit}-remaining`] = '0'
      plan.headers[`anthropic-ratelimit-${cfg.limit}-reset`] = resetAt
    }
    return plan
  },
})
