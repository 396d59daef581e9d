import { z } from 'zod'
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
  }),
  apply: (cfg, plan, ctx) => delayPlan(plan, sample(cfg.duration, ctx.rng)),
})
