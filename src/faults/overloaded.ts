import { z } from 'zod'
import { retryHeaderFields, retryHeaders, shouldRetryEffect } from './error.js'
import { defineFault } from './fault.js'
import { checkRetryAfterForm, retryAfterSpec } from './retry-after.js'

export const overloaded = defineFault({
  type: 'overloaded',
  summary: 'Provider overload: Anthropic 529 overloaded_error, OpenAI 503 "engine is currently overloaded"',
  example: { type: 'overloaded', retry_after: '5s' },
  effect: {
    summary: 'transient (503, 529; by status when overridden; should_retry true/false overrides)',
    of: (cfg, plan) => shouldRetryEffect(cfg.should_retry, plan.status),
  },
  schema: z
    .strictObject({
      type: z.literal('overloaded'),
      status: z.number().int().min(400).max(599).optional().describe('override the status (529 Anthropic, 503 OpenAI)'),
      ...retryHeaderFields,
    })
    .superRefine(checkRetryAfterForm),
  apply: (cfg, _plan, ctx) => {
    const spec = ctx.family.overloaded()
    return ctx.error({
      ...spec,
      status: cfg.status ?? spec.status,
      headers: retryHeaders(cfg),
      ...retryAfterSpec(cfg, ctx.rng, ctx.nowMs),
    })
  },
})
