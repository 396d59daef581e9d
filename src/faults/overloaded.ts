import { z } from 'zod'
import { retryHeaderFields, retryHeaders } from './error.js'
import { defineFault } from './fault.js'
import { drawRetryAfterMs } from './retry-after.js'

export const overloaded = defineFault({
  type: 'overloaded',
  summary: 'Provider overload: Anthropic 529 overloaded_error, OpenAI 503 "engine is currently overloaded"',
  example: { type: 'overloaded', retry_after: '5s' },
  schema: z.strictObject({
    type: z.literal('overloaded'),
    status: z.number().int().min(400).max(599).optional().describe('override the status (529 Anthropic, 503 OpenAI)'),
    ...retryHeaderFields,
  }),
  apply: (cfg, _plan, ctx) => {
    const spec = ctx.family.overloaded()
    return ctx.error({
      ...spec,
      status: cfg.status ?? spec.status,
      headers: retryHeaders(cfg),
      ...(cfg.retry_after !== undefined ? { retryAfterMs: drawRetryAfterMs(cfg.retry_after, ctx.rng) } : {}),
    })
  },
})
