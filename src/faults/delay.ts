import { z } from 'zod'
import { durationSchema } from '../duration.js'
import { delayPlan } from '../upstream/plan.js'
import { distributionSchema, sample } from '../upstream/timing.js'
import { UNCHANGED } from './effect.js'
import { defineFault } from './fault.js'

export const delay = defineFault({
  type: 'delay',
  summary: 'Wait before sending headers (everything after moves too)',
  example: { type: 'delay', duration: '2s' },
  effect: UNCHANGED,
  schema: z.strictObject({
    type: z.literal('delay'),
    duration: distributionSchema.describe('a duration (2s) or a distribution {dist: uniform|normal|lognormal, ...}'),
    ramp_to: durationSchema
      .optional()
      .describe(
        'the delay drifts linearly from `duration` to this over the rule’s window (its `during` phase or window, else the run): a brownout that deepens',
      ),
  }),
  apply: (cfg, plan, ctx) => {
    const base = sample(cfg.duration, ctx.rng)
    const ms = cfg.ramp_to === undefined ? base : base + (cfg.ramp_to - base) * (ctx.windowProgress ?? 0)
    return delayPlan(plan, ms)
  },
})
