import { z } from 'zod'
import { parseDurationMs } from '../duration.js'
import type { Rng } from '../rng.js'

/** One Retry-After for every attempt (ms), or a range drawn per attempt. */
export type RetryAfter = number | { min: number; max: number }

const HOW = 'write a duration like 1.5s, or a range like { min: 1.3s, max: 3.7s }'

/**
 * A Retry-After in a fault: one duration (`1s`), sent to every attempt, or a range (`{ min: 1.3s, max: 3.7s }`,
 * also written `{ dist: uniform, min, max }` as latencies are) drawn uniformly per attempt from the fault's seeded
 * RNG, to whole milliseconds. A range wider than common fixed backoffs is what tells "waited what it was asked"
 * from "waited its own fixed delay, which happened to match".
 */
export const retryAfterSchema = z
  .union([z.number(), z.string(), z.record(z.string(), z.unknown())])
  .transform((value, ctx): RetryAfter => {
    if (typeof value !== 'object') {
      const ms = parseDurationMs(value)
      if (ms === undefined) ctx.addIssue({ code: 'custom', message: `"${String(value)}" is not a duration; ${HOW}` })
      return ms ?? 0
    }
    const { dist, min, max, ...rest } = value
    for (const key of Object.keys(rest)) ctx.addIssue({ code: 'custom', path: [key], message: `unknown key; ${HOW}` })
    if (dist !== undefined && dist !== 'uniform')
      ctx.addIssue({ code: 'custom', path: ['dist'], message: `a Retry-After range is uniform; ${HOW}` })
    const range = { min: bound(min, 'min', ctx), max: bound(max, 'max', ctx) }
    if (range.min !== undefined && range.max !== undefined && range.max < range.min)
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'max must not be below min' })
    return { min: range.min ?? 0, max: range.max ?? 0 }
  })

function bound(value: unknown, key: 'min' | 'max', ctx: z.RefinementCtx): number | undefined {
  const ms = typeof value === 'number' || typeof value === 'string' ? parseDurationMs(value) : undefined
  if (ms === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} must be a duration; ${HOW}` })
  return ms
}

/** The Retry-After of one attempt, in milliseconds. */
export function drawRetryAfterMs(retryAfter: RetryAfter, rng: Rng): number {
  if (typeof retryAfter === 'number') return retryAfter
  return Math.round(retryAfter.min + rng() * (retryAfter.max - retryAfter.min))
}
