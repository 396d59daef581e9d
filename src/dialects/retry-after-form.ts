import { goDuration } from '../duration.js'

/**
 * How an error says when to retry (the fault option `retry_after_format`). The delay itself is the fault's
 * `retry_after`; the form is how it is written, and some forms carry no usable delay at all:
 * - `seconds`: `retry-after` in whole seconds (rounded up) and `retry-after-ms` (today's default);
 * - `fractional`: `retry-after: 1.3` alone (a float of seconds, as the SDKs parse it);
 * - `ms-only`: `retry-after-ms: 1300` alone;
 * - `http-date`: `retry-after: Thu, 03 Dec 2026 07:10:02 GMT` alone (RFC 9110 allows it; the date rounded up);
 * - `zero`: `retry-after: 0` (retry at once);
 * - `negative`, `garbage`: `retry-after: -1`, `retry-after: soon` (no usable delay);
 * - `missing`: no retry header at all;
 * - `reset-only`: the provider's rate-limit reset headers alone: OpenAI `x-ratelimit-reset-requests`/`-tokens`
 *   (Go durations, `1.3s`), Anthropic `anthropic-ratelimit-requests-reset`/`-tokens-reset` (RFC 3339, rounded up).
 * Google sends no header: its RetryInfo `retryDelay` says the delay (`1.300s`) in every form that has one, `0s`
 * for zero, `-1s` and `soon` for negative and garbage, and nothing when missing.
 */
export const RETRY_AFTER_FORMS = [
  'seconds',
  'fractional',
  'ms-only',
  'http-date',
  'zero',
  'negative',
  'garbage',
  'missing',
  'reset-only',
] as const
export type RetryAfterForm = (typeof RETRY_AFTER_FORMS)[number]

/** Forms that say no usable delay: the client must back off on its own, and no wait is owed. */
export const NO_DELAY_FORMS: ReadonlySet<RetryAfterForm> = new Set(['negative', 'garbage', 'missing'])

export const GARBAGE_RETRY_AFTER = 'soon'

/** A delay in one form: the wait (ms), its form, and the clock (ms since the epoch) it is sent at, for dates. */
export interface RetryAfterSpec {
  retryAfterMs: number
  retryAfterForm?: RetryAfterForm | undefined
  retryAfterAtMs?: number | undefined
}

/** A date `ms` from `atMs`, to the second, rounded up (so that waiting until it is never early). */
function dateUp(atMs: number, ms: number): number {
  return Math.ceil((atMs + ms) / 1000) * 1000
}

/** An RFC 3339 timestamp to the second, as Anthropic's reset headers carry. */
export function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`
}

/**
 * The wait (ms) a delay in its form asks of a client that reads it right, or null when the form carries none
 * (negative, garbage, missing). Dates count from the moment they are sent, to the whole second they name.
 */
export function meantWaitMs(spec: RetryAfterSpec, dates: boolean): number | null {
  const form = spec.retryAfterForm ?? 'seconds'
  if (NO_DELAY_FORMS.has(form)) return null
  if (form === 'zero') return 0
  if (dates && spec.retryAfterAtMs !== undefined) {
    return dateUp(spec.retryAfterAtMs, spec.retryAfterMs) - spec.retryAfterAtMs
  }
  return spec.retryAfterMs
}

/** Whether a form's wait is a date for this family (an HTTP-date; Anthropic's RFC 3339 reset headers). */
export function formIsDate(form: RetryAfterForm | undefined, family: 'openai' | 'anthropic'): boolean {
  return form === 'http-date' || (form === 'reset-only' && family === 'anthropic')
}

/**
 * The retry headers of OpenAI and Anthropic errors, in the spec's form. `reset-only` sends the family's own reset
 * headers: OpenAI's Go durations, Anthropic's RFC 3339 timestamps.
 */
export function retryAfterHeaderForm(spec: RetryAfterSpec, family: 'openai' | 'anthropic'): Record<string, string> {
  const ms = spec.retryAfterMs
  const atMs = spec.retryAfterAtMs ?? Date.now()
  switch (spec.retryAfterForm ?? 'seconds') {
    case 'seconds':
      return { 'retry-after': String(Math.ceil(ms / 1000)), 'retry-after-ms': String(Math.round(ms)) }
    case 'fractional':
      return { 'retry-after': String(Math.round(ms) / 1000) }
    case 'ms-only':
      return { 'retry-after-ms': String(Math.round(ms)) }
    case 'http-date':
      return { 'retry-after': new Date(dateUp(atMs, ms)).toUTCString() }
    case 'zero':
      return { 'retry-after': '0' }
    case 'negative':
      return { 'retry-after': '-1' }
    case 'garbage':
      return { 'retry-after': GARBAGE_RETRY_AFTER }
    case 'missing':
      return {}
    case 'reset-only':
      if (family === 'anthropic') {
        const at = rfc3339(dateUp(atMs, ms))
        return { 'anthropic-ratelimit-requests-reset': at, 'anthropic-ratelimit-tokens-reset': at }
      }
      return { 'x-ratelimit-reset-requests': goDuration(ms), 'x-ratelimit-reset-tokens': goDuration(ms) }
  }
}
