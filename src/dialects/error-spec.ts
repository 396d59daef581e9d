import type { RetryAfterForm } from './retry-after-form.js'

/**
 * A provider error, said once in family-neutral terms. A family turns it into its own body and headers
 * (`Family.error`): OpenAI `{ error: { message, type, param, code } }` with `retry-after`/`retry-after-ms`,
 * Anthropic `{ type: 'error', error: { type, message }, request_id }`, Google
 * `{ error: { code, message, status, details: [RetryInfo] } }` with the retry delay in the body.
 */
export interface ErrorSpec {
  status: number
  message: string
  /** The family's error type (OpenAI `type`, Anthropic `error.type`, Google `status`); from the status otherwise. */
  type?: string
  /** OpenAI `code` (e.g. `rate_limit_exceeded`); families without one ignore it. */
  code?: string | null
  /** OpenAI `param`. */
  param?: string | null
  /** Anthropic `error.details` (e.g. `{ error_code: 'enforced_spend_limit_reached' }`); Google `details` entries. */
  details?: Record<string, unknown>
  /** Extra response headers, sent as given (the family's retry headers win over them). */
  headers?: Record<string, string>
  /**
   * When the client may retry, ms. Each family says it its own way: OpenAI and Anthropic send `retry-after`
   * (whole seconds, rounded up) and `retry-after-ms`; Google puts `google.rpc.RetryInfo.retryDelay` in the body.
   */
  retryAfterMs?: number
  /** How the delay is written (`retry_after_format`): `seconds` (both headers) unless a fault says otherwise. */
  retryAfterForm?: RetryAfterForm
  /** When the answer goes out (ms since the epoch): the origin of an HTTP-date or reset timestamp. */
  retryAfterAtMs?: number
}

/** The first problem with a request body, in the words the provider would use. */
export interface BodyProblem {
  message: string
  param: string | null
  code: string | null
}
