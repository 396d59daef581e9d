import { z } from 'zod'
import { durationSchema } from '../duration.js'
import { gaussian, type Rng } from '../rng.js'

const clamp = z.strictObject({ min: durationSchema.optional(), max: durationSchema.optional() }).optional()

/**
 * A latency distribution. A bare duration (`120ms`) means `fixed`.
 * lognormal takes either `median` + `sigma`, or `p50` + `p99`.
 */
export const distributionSchema = z.preprocess(
  (value) => (typeof value === 'string' || typeof value === 'number' ? { dist: 'fixed', value } : value),
  z.discriminatedUnion('dist', [
    z.strictObject({ dist: z.literal('fixed'), value: durationSchema }),
    z.strictObject({ dist: z.literal('uniform'), min: durationSchema, max: durationSchema, clamp }),
    z.strictObject({ dist: z.literal('normal'), mean: durationSchema, stddev: durationSchema, clamp }),
    z.strictObject({
      dist: z.literal('lognormal'),
      median: durationSchema.optional(),
      sigma: z.number().positive().optional(),
      p50: durationSchema.optional(),
      p99: durationSchema.optional(),
      clamp,
    }),
  ]),
)

export type Distribution = z.output<typeof distributionSchema>

/** z-score of the 99th percentile of a standard normal. */
const Z99 = 2.3263478740408408

/** Draws one sample in milliseconds (never negative, clamped when asked). */
export function sample(dist: Distribution, rng: Rng): number {
  let ms: number
  switch (dist.dist) {
    case 'fixed':
      return dist.value
    case 'uniform':
      ms = dist.min + rng() * (dist.max - dist.min)
      break
    case 'normal':
      ms = dist.mean + gaussian(rng) * dist.stddev
      break
    case 'lognormal': {
      const median = dist.median ?? dist.p50 ?? 0
      const sigma =
        dist.sigma ?? (dist.p99 !== undefined && median > 0 ? Math.log(Math.max(dist.p99, median) / median) / Z99 : 0.5)
      ms = median * Math.exp(sigma * gaussian(rng))
      break
    }
  }
  const lo = dist.clamp?.min ?? 0
  const hi = dist.clamp?.max ?? Number.POSITIVE_INFINITY
  return Math.min(hi, Math.max(lo, ms))
}

/** Time-to-first-token and inter-token latency of an upstream. Fast by default: nothing waits. */
export const latencySchema = z
  .strictObject({
    ttft: distributionSchema.default({ dist: 'fixed', value: 0 }),
    itl: distributionSchema.default({ dist: 'fixed', value: 0 }),
  })
  .default({ ttft: { dist: 'fixed', value: 0 }, itl: { dist: 'fixed', value: 0 } })

export type Latency = z.output<typeof latencySchema>
