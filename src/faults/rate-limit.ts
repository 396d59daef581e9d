import { z } from 'zod'
import { durationSchema, goDuration } from '../duration.js'
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
    const model =
      typeof (ex.body as { model?: unknown })?.model === 'string' ? (ex.body as { model: string }).model : 'this model'
    const openai = ex.provider === 'openai'
    const unit = cfg.limit === 'requests' ? 'requests per min (RPM)' : 'tokens per min (TPM)'
    const bucket = cfg.limit === 'requests' ? ex.upstream.limiter.requests : ex.upstream.limiter.tokens
    const plan = ctx.error({
      status: 429,
      type: openai ? cfg.limit : 'rate_limit_error',
      code: 'rate_limit_exceeded',
      message: openai
        ? `Rate limit reached for ${model} in organization org-brownout on ${unit}: Limit ${bucket.limit}, Used ${bucket.limit}, Requested 1. Please try again in ${goDuration(cfg.retry_after)}. Visit https://platform.openai.com/account/rate-limits to learn more.`
        : `This request would exceed your organization's rate limit of ${bucket.limit} ${cfg.limit === 'requests' ? 'requests' : 'input tokens'} per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.`,
      ...(cfg.send_retry_after ? { retryAfterMs: cfg.retry_after } : {}),
    })
    const resetAt = new Date(ex.upstream.clock.now() + cfg.retry_after).toISOString().replace(/\.\d+Z$/, 'Z')
    if (openai) {
      plan.headers[`x-ratelimit-remaining-${cfg.limit}`] = '0'
      plan.headers[`x-ratelimit-reset-${cfg.limit}`] = goDuration(cfg.retry_after)
    } else {
      plan.headers[`anthropic-ratelimit-${cfg.limit}-remaining`] = '0'
      plan.headers[`anthropic-ratelimit-${cfg.limit}-reset`] = resetAt
    }
    return plan
  },
})
