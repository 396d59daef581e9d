import { z } from 'zod'
import type { ErrorSpec } from '../dialects/error-spec.js'
import { NO_DELAY_FORMS, RETRY_AFTER_FORMS, type RetryAfterForm } from '../dialects/retry-after-form.js'
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

/** The fault option `retry_after_format`: how the delay is written (see src/dialects/retry-after-form.ts). */
export const retryAfterFormatSchema = z
  .enum(RETRY_AFTER_FORMS)
  .optional()
  .describe(
    'how the delay is written: seconds (retry-after rounded up + retry-after-ms, the default), fractional (retry-after: 1.3), ms-only (retry-after-ms alone), http-date, zero, negative, garbage, missing, reset-only (x-ratelimit-reset-* / anthropic-ratelimit-*-reset alone); Google puts it in RetryInfo',
  )

/** Forms that write no delay of their own: a retry_after beside them would be sent nowhere. */
const NO_VALUE_FORMS: ReadonlySet<RetryAfterForm> = new Set([...NO_DELAY_FORMS, 'zero'])

/**
 * Nonsense combinations of `retry_after` and `retry_after_format`, for a fault whose `retry_after` is optional:
 * a form that writes a delay needs one, a form that writes none (zero, negative, garbage, missing) takes none, and
 * the rate-limit reset headers (reset-only) time a 429 only (every answer carries them, for the live buckets).
 */
export function checkRetryAfterForm(
  cfg: {
    status?: number | undefined
    retry_after?: RetryAfter | undefined
    retry_after_format?: RetryAfterForm | undefined
  },
  ctx: z.RefinementCtx,
): void {
  const form = cfg.retry_after_format
  if (form === undefined) return
  if (form === 'reset-only' && cfg.status !== 429)
    ctx.addIssue({
      code: 'custom',
      path: ['retry_after_format'],
      message:
        'reset-only sends the rate-limit reset headers, which time a 429 only: use it on a rate-limit fault or a 429',
    })
  if (NO_VALUE_FORMS.has(form) && cfg.retry_after !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['retry_after'],
      message: `retry_after_format ${form} sends no delay; drop retry_after`,
    })
  if (!NO_VALUE_FORMS.has(form) && cfg.retry_after === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['retry_after_format'],
      message: `retry_after_format ${form} writes a delay: give it a retry_after`,
    })
}

/** The spec fields of a Retry-After in its form, drawn for one attempt; none when the fault sends no retry header. */
export function retryAfterSpec(
  cfg: { retry_after?: RetryAfter | undefined; retry_after_format?: RetryAfterForm | undefined },
  rng: Rng,
  nowMs: number,
): Pick<ErrorSpec, 'retryAfterMs' | 'retryAfterForm' | 'retryAfterAtMs'> {
  const form = cfg.retry_after_format
  if (cfg.retry_after === undefined) return form === undefined ? {} : { retryAfterMs: 0, retryAfterForm: form }
  const retryAfterMs = drawRetryAfterMs(cfg.retry_after, rng)
  return form === undefined ? { retryAfterMs } : { retryAfterMs, retryAfterForm: form, retryAfterAtMs: nowMs }
}
