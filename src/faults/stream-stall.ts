import { z } from 'zod'
import { distributionSchema, sample } from '../upstream/timing.js'
import { BROKEN_STREAM, UNCHANGED } from './effect.js'
import { AFTER_DESCRIPTION, cutAfterWrites, defineFault, indexAfterWrites, isStream } from './fault.js'

export const streamStall = defineFault({
  type: 'stream-stall',
  summary: 'The stream pauses after N events with the socket open, for a duration or until the client leaves',
  example: { type: 'stream-stall', after: 3, duration: '30s' },
  effect: {
    summary: 'mid-stream (prefix) when it never resumes; none with a duration (the answer completes, late)',
    of: (cfg) => (cfg.duration === undefined ? BROKEN_STREAM : UNCHANGED),
  },
  schema: z.strictObject({
    type: z.literal('stream-stall'),
    after: z.number().int().default(3).describe(AFTER_DESCRIPTION),
    duration: distributionSchema.optional().describe('how long the pause lasts; omitted: forever'),
  }),
  apply: (cfg, plan, ctx) => {
    if (!isStream(plan)) return plan
    if (cfg.duration === undefined) return cutAfterWrites(plan, cfg.after, 'hang')
    const from = indexAfterWrites(plan, cfg.after)
    const pauseMs = sample(cfg.duration, ctx.rng)
    const stallStart = plan.steps[from - 1]?.atMs ?? plan.headersAtMs ?? 0
    return {
      ...plan,
      steps: plan.steps.map((s, i) => (i < from ? s : { ...s, atMs: Math.max(s.atMs, stallStart) + pauseMs })),
    }
  },
})
