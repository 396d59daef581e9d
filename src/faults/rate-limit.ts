import { z } from 'zod'
import { defineFault } from './fault.js'
import { drawRetryAfterMs, retryAfterFormatSchema, retryAfterSchema } from './retry-after.js'

export const rateLimit = defineFault({
  type: 'rate-limit',
  summary: '429 for requests or tokens, with rate-limit headers at zero and a Retry-After',
  example: { type: 'rate-limit', limit: 'requests', retry_after: { min: '1.3s', max: '3.7s' } },
  effect: { effect: 'transient', content: 'none' },
  schema: z
    .strictObject({
      type: z.literal('rate-limit'),
      limit: z.enum(['requests', 'tokens']).default('requests').describe('which limit was hit'),
      retry_after: retryAfterSchema
        .default(1000)
        .describe(
          'when the limit resets; sent as retry-after and retry-after-ms; a range { min, max } draws one per attempt',
        ),
      send_retry_after: z.boolean().default(true).describe('false: no retry-after headers (the client must guess)'),
      retry_after_format: retryAfterFormatSchema,
    })
    .refine((cfg) => cfg.send_retry_after || cfg.retry_after_format === undefined, {
      path: ['retry_after_format'],
      message: 'send_retry_after: false sends no retry header to format; write retry_after_format: missing instead',
    }),
  apply: (cfg, _plan, ctx) => {
    const retryAfterMs = drawRetryAfterMs(cfg.retry_after, ctx.rng)
    const { limit } = ctx.limits[cfg.limit]
    const spec = ctx.family.rateLimit({
      kind: cfg.limit,
      model: ctx.model,
      limit,
      used: limit,
      requested: 1,
      retryAfterMs,
      sendRetryAfter: cfg.send_retry_after,
    })
    if (cfg.retry_after_format !== undefined && spec.retryAfterMs !== undefined) {
      spec.retryAfterForm = cfg.retry_after_format
      spec.retryAfterAtMs = ctx.nowMs
    }
    const plan = ctx.error(spec)
    Object.assign(plan.headers, ctx.family.rateLimitHeaders(cfg.limit, retryAfterMs, ctx.nowMs))
    return plan
  },
})
