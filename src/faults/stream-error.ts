import { z } from 'zod'
import { AFTER_DESCRIPTION, defineFault, indexAfterWrites, isStream } from './fault.js'

export const streamError = defineFault({
  type: 'stream-error',
  summary: 'An in-band error event after N events (OpenAI data: {"error":…}, Anthropic event: error), then the end',
  example: { type: 'stream-error', after: 3 },
  schema: z.strictObject({
    type: z.literal('stream-error'),
    after: z.number().int().default(3).describe(AFTER_DESCRIPTION),
    error_type: z
      .string()
      .optional()
      .describe('error type (default overloaded_error for Anthropic, server_error for OpenAI)'),
    message: z.string().optional().describe('error message'),
  }),
  apply: (cfg, plan, ctx) => {
    if (!isStream(plan)) return plan
    const at = indexAfterWrites(plan, cfg.after)
    const atMs = plan.steps[at]?.atMs ?? plan.steps[at - 1]?.atMs ?? plan.headersAtMs ?? 0
    const data = ctx.dialect.streamError({ type: cfg.error_type, message: cfg.message })
    return {
      ...plan,
      steps: [
        ...plan.steps.slice(0, at).filter((s) => s.kind === 'write'),
        { kind: 'write', atMs, data },
        { kind: 'end', atMs },
      ],
    }
  },
})
