import type { IncomingHttpHeaders } from 'node:http'
import type { z } from 'zod'
import type { LimitSnapshot } from '../upstream/limits.js'
import type { BodyProblem, ErrorSpec } from './error-spec.js'

/** The live rate-limit figures a response reports. */
export interface LimitsView {
  requests: LimitSnapshot
  tokens: LimitSnapshot
}

/** What the headers of one response depend on. */
export interface HeaderFacts {
  /** The provider request id of this attempt (`req_…`), deterministic from (seed, request id, attempt). */
  providerRequestId: string
  /** Time from arrival to the headers, ms (OpenAI's `openai-processing-ms`). */
  processingMs: number
  /** A clock reading, ms since the Unix epoch (for reset timestamps). */
  nowMs: number
  limits: LimitsView
}

/** An ErrorSpec in a family's own words: the body to send, headers to add, and the error type to journal. */
export interface FamilyError {
  type: string
  body: unknown
  /** Headers the family derives from the spec (e.g. `retry-after` from `retryAfterMs`); they win over spec.headers. */
  headers: Record<string, string>
  /**
   * The wait the answer asks for, as a client that reads it right would wait (ms; a date counts to its whole
   * second), or null when its form carries none (garbage, negative, missing). Absent: the spec's retryAfterMs.
   */
  retryAfterMs?: number | null
}

/** What a rate-limit 429 says: which bucket, its limit, and when it resets. */
export interface RateLimitFacts {
  kind: 'requests' | 'tokens'
  /** The request's model, when it names one (OpenAI quotes it). */
  model: string | null
  limit: number
  used: number
  requested: number
  retryAfterMs: number
  /** False: no Retry-After of any kind (the client must guess). */
  sendRetryAfter?: boolean
}

/** The two malformed frames that depend on the family (a line without `data:` does not). */
export type MalformedKind = 'bad-json' | 'unknown-event'

/** An in-band stream error, as the stream-error fault asks for it. */
export interface StreamErrorFacts {
  type?: string | undefined
  message?: string | undefined
}

/**
 * A provider family: what the APIs of one provider share. OpenAI chat, responses, embeddings (and Azure OpenAI)
 * are one family; Anthropic messages another; Google Gemini a third. A family is plain functions of plain facts:
 * it never sees the upstream, its clock or its config (the caller reads those and passes the numbers), so faults
 * and the client side can use it without importing the server.
 */
export interface Family {
  /** `openai`, `anthropic`, `google`: the upstream config's `provider` and the journal's `provider`. */
  id: string
  /** Whether request headers say the client speaks this family (for paths no dialect owns, e.g. an unknown path). */
  recognizes(headers: IncomingHttpHeaders): boolean

  // ---- errors: the shapes ----
  /** The family's error type for a status (OpenAI `server_error`, Anthropic `overloaded_error`, Google `UNAVAILABLE`). */
  errorType(status: number): string
  /** The message the provider sends for a status when nobody says otherwise. */
  defaultMessage(status: number): string
  /** An ErrorSpec as this family's body and headers; `retryAfterMs` goes wherever the family puts it. */
  error(spec: ErrorSpec, facts: { providerRequestId: string }): FamilyError
  /** Turns a body's first schema problem into the family's validation message (OpenAI `Missing required parameter`). */
  bodyProblem(issue: z.core.$ZodIssue, param: string): BodyProblem

  // ---- errors: the specs the upstream and the faults ask for ----
  /** The 429 of a hit rate limit (OpenAI "Rate limit reached for <model> …", Anthropic `rate_limit_error`). */
  rateLimit(facts: RateLimitFacts): ErrorSpec
  /** Rate-limit headers showing the bucket empty until `retryAfterMs` from `nowMs` (sent with the 429 fault). */
  rateLimitHeaders(kind: 'requests' | 'tokens', retryAfterMs: number, nowMs: number): Record<string, string>
  /** Provider overload (Anthropic 529 `overloaded_error`, OpenAI 503); `reason` when brownout's overload model shed it. */
  overloaded(reason?: string): ErrorSpec
  /** A 429 that must not be retried (OpenAI `insufficient_quota` with `code`, Anthropic spend limit). */
  quota(code: string): ErrorSpec
  /** 404 for a path the family does not serve. */
  notFound(method: string, path: string): ErrorSpec
  /** 404 for a model outside the configured list. */
  unknownModel(model: string): ErrorSpec
  /** 413 for a body over the upstream's limit. */
  tooLarge(limitBytes: number): ErrorSpec
  /** 400 for a body that is not JSON. */
  badJson(jsonError: string): ErrorSpec

  // ---- every response ----
  /** The family's own headers on every response: request id, organisation, live rate-limit figures. */
  headers(facts: HeaderFacts): Record<string, string>
  /** The body of the family's model list (`GET /v1/models`). */
  listModels(ids: readonly string[], createdSec: number): unknown

  // ---- streams (defaults for the family's dialects) ----
  /** The in-band error event of the family's streams (OpenAI `data: {"error":…}`, Anthropic `event: error`). */
  streamError(facts: StreamErrorFacts): string
  /** A malformed frame: invalid JSON in `data:`, or an event the client must ignore. */
  malformedFrame(kind: MalformedKind): string

  // ---- the client side ----
  /** Whether an error body a client received is JSON in this family's error shape, and the type it names. */
  errorShape(raw: string): { wellFormed: boolean; type: string | null }
}
