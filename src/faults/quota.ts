import { z } from 'zod'
import { defineFault } from './fault.js'

export const quota = defineFault({
  type: 'quota',
  summary: 'A 429 that must not be retried: OpenAI insufficient_quota, Anthropic spend limit reached',
  example: { type: 'quota' },
  schema: z.strictObject({
    type: z.literal('quota'),
    code: z
      .enum([
        'insufficient_quota',
        'credit_balance_exhausted',
        'organization_spend_limit_exceeded',
        'project_spend_limit_exceeded',
        'organization_usage_limit_exceeded',
      ])
      .default('insufficient_quota')
      .describe('OpenAI error code'),
  }),
  apply: (cfg, _plan, ctx) => ctx.error(ctx.family.quota(cfg.code)),
})
