import { z } from 'zod'
import { AFTER_DESCRIPTION, defineFault, indexAfterWrites, isStream } from './fault.js'

const MISSING_PREFIX = '{"brownout":"this line has no data: prefix"}\n\n'

export const streamMalformed = defineFault({
  type: 'stream-malformed',
  summary: 'One bad frame after N events: invalid JSON in data:, a line without the data: prefix, or an unknown event',
  example: { type: 'stream-malformed', after: 3, kind: 'unknown-event' },
  schema: z.strictObject({
    type: z.literal('stream-malformed'),
    after: z.number().int().default(3).describe(AFTER_DESCRIPTION),
    kind: z
      .enum(['bad-json', 'missing-prefix', 'unknown-event'])
      .default('bad-json')
      .describe(
        'bad-json; missing-prefix; unknown-event (Anthropic: an unknown event type; OpenAI: an SSE comment), which clients must ignore',
      ),
  }),
  apply: (cfg, plan, ctx) => {
    if (!isStream(plan)) return plan
    const at = indexAfterWrites(plan, cfg.after)
    const atMs = plan.steps[at]?.atMs ?? plan.steps[at - 1]?.atMs ?? plan.headersAtMs ?? 0
    const data = cfg.kind === 'missing-prefix' ? MISSING_PREFIX : ctx.dialect.malformedFrame(cfg.kind)
    return {
      ...plan,
      steps: [...plan.steps.slice(0, at), { kind: 'write', atMs, data }, ...plan.steps.slice(at)],
    }
  },
})
