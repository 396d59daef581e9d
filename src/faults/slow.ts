import { z } from 'zod'
import type { Step } from '../upstream/plan.js'
import { distributionSchema, sample } from '../upstream/timing.js'
import { UNCHANGED } from './effect.js'
import { defineFault } from './fault.js'

export const slow = defineFault({
  type: 'slow',
  summary: 'A slow link: a bandwidth limit (bytes/s) and/or a delay before every body chunk',
  example: { type: 'slow', bytes_per_second: 2000 },
  effect: UNCHANGED,
  schema: z
    .strictObject({
      type: z.literal('slow'),
      bytes_per_second: z.number().positive().optional().describe('bandwidth limit for the body'),
      chunk_delay: distributionSchema.optional().describe('extra delay before each body write (drip)'),
    })
    .refine((c) => c.bytes_per_second !== undefined || c.chunk_delay !== undefined, {
      message: 'slow needs bytes_per_second, chunk_delay, or both',
    }),
  apply: (cfg, plan, ctx) => {
    const steps: Step[] = []
    let shift = 0
    let linkFreeAt = 0
    for (const step of plan.steps) {
      if (step.kind !== 'write') {
        steps.push({ ...step, atMs: Math.max(step.atMs + shift, linkFreeAt) })
        continue
      }
      if (cfg.chunk_delay !== undefined) shift += sample(cfg.chunk_delay, ctx.rng)
      let at = Math.max(step.atMs + shift, linkFreeAt)
      const bps = cfg.bytes_per_second
      if (bps === undefined) {
        steps.push({ ...step, atMs: at })
        continue
      }
      const bytes = Buffer.from(step.data)
      const piece = Math.max(1, Math.floor(bps / 50))
      for (let i = 0; i < bytes.length; i += piece) {
        const part = bytes.subarray(i, i + piece)
        steps.push({ kind: 'write', atMs: at, data: part })
        at += (part.length / bps) * 1000
      }
      linkFreeAt = at
    }
    return { ...plan, steps }
  },
})
