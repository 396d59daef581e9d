import { z } from 'zod'
import { defineFault } from './fault.js'

export const quota = defineFault({
  type: 'quota',
  summary: 'A 429 that must not be retried: OpenAI insufficient_quota, Anthropic spend limit reached',
  example: { type: 'quota' },
  effect: { effect: 'fatal', content: 'none' },
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
  apply: (cfg, _plan, ctx) => {
    if (ctx.ex.provider === 'anthropic') {
      return ctx.error({
        status: 429,
        type: 'rate_limit_error',
        message:
          'You have reached your specified workspace API usage limits. You will regain access on the first of next month.',
        details: { error_code: 'enforced_spend_limit_reached' },
      })
    }
    return ctx.error({
      status: 429,
      type: 'insufficient_quota',
      code: cfg.code,
      message:
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
    })
  },
})
