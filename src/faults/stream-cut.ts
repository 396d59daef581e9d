import { z } from 'zod'
import { BROKEN_STREAM } from './effect.js'
import { AFTER_DESCRIPTION, cutAfterWrites, defineFault, isStream } from './fault.js'

const ENDINGS = { clean: 'end', dirty: 'close', reset: 'reset' } as const

export const streamCut = defineFault({
  type: 'stream-cut',
  summary:
    'The stream stops after N events: clean (no [DONE]/message_stop), dirty (no terminating chunk), or reset (RST)',
  example: { type: 'stream-cut', after: 5, mode: 'reset' },
  effect: BROKEN_STREAM,
  schema: z.strictObject({
    type: z.literal('stream-cut'),
    after: z.number().int().default(3).describe(AFTER_DESCRIPTION),
    mode: z
      .enum(['clean', 'dirty', 'reset'])
      .default('clean')
      .describe('clean: well-formed HTTP end; dirty: FIN without the last chunk; reset: TCP RST'),
  }),
  apply: (cfg, plan) => (isStream(plan) ? cutAfterWrites(plan, cfg.after, ENDINGS[cfg.mode]) : plan),
})
