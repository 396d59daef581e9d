import { goDuration } from '../duration.js'
import type { Exchange } from './exchange.js'
import { providerHeaders, providerRequestId } from './headers.js'
import type { Plan } from './plan.js'

/** Anthropic's error type for each status (docs.claude.com/en/api/errors). */
const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
}

/** OpenAI's error type for each status. */
const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'invalid_request_error',
  404: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'requests',
  500: 'server_error',
  502: 'server_error',
  503: 'server_error',
  504: 'server_error',
}

export function defaultErrorType(provider: Exchange['provider'], status: number): string {
  const table = provider === 'anthropic' ? ANTHROPIC_TYPES : OPENAI_TYPES
  return (
    table[status] ??
    (status >= 500 ? (provider === 'anthropic' ? 'api_error' : 'server_error') : 'invalid_request_error')
  )
}

export interface ErrorSpec {
  status: number
  message: string
  /** Provider error type; defaults from the status. */
  type?: string
  /** OpenAI `code` (e.g. `rate_limit_exceeded`); Anthropic ignores it unless `details` is set. */
  code?: string | null
  /** OpenAI `param`. */
  param?: string | null
  /** Anthropic `error.details` (e.g. `{ error_code: 'enforced_spend_limit_reached' }`). */
  details?: Record<string, unknown>
  headers?: Record<string, string>
  retryAfterMs?: number
}

/** The error body in the provider's own shape. */
export function errorBody(ex: Exchange, spec: ErrorSpec): unknown {
  const type = spec.type ?? defaultErrorType(ex.provider, spec.status)
  if (ex.provider === 'anthropic') {
    const error: Record<string, unknown> = { type, message: spec.message }
    if (spec.details) error.details = spec.details
    return { type: 'error', error, request_id: providerRequestId(ex) }
  }
  return { error: { message: spec.message, type, param: spec.param ?? null, code: spec.code ?? null } }
}

/** A complete error response, sent at `atMs`. Simulated provider errors are outcomes, never exceptions. */
export function errorPlan(ex: Exchange, spec: ErrorSpec, atMs = 0): Plan {
  const body = JSON.stringify(errorBody(ex, spec))
  const headers = { ...providerHeaders(ex, 'application/json', atMs), ...spec.headers }
  headers['content-length'] = String(Buffer.byteLength(body))
  if (spec.retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.ceil(spec.retryAfterMs / 1000))
    headers['retry-after-ms'] = String(Math.round(spec.retryAfterMs))
  }
  const plan: Plan = {
    status: spec.status,
    headers,
    headersAtMs: atMs,
    steps: [
      { kind: 'write', atMs, data: body },
      { kind: 'end', atMs },
    ],
    errorType: spec.type ?? defaultErrorType(ex.provider, spec.status),
  }
  if (spec.retryAfterMs !== undefined) plan.retryAfterMs = spec.retryAfterMs
  return plan
}

/** A complete JSON success response, sent at `atMs`. */
export function jsonPlan(ex: Exchange, body: unknown, atMs: number): Plan {
  return jsonTextPlan(ex, JSON.stringify(body), atMs)
}

/** A complete JSON success response whose body is already serialised. */
export function jsonTextPlan(ex: Exchange, data: string, atMs: number): Plan {
  const headers = providerHeaders(ex, 'application/json', atMs)
  headers['content-length'] = String(Buffer.byteLength(data))
  return {
    status: 200,
    headers,
    headersAtMs: atMs,
    steps: [
      { kind: 'write', atMs, data },
      { kind: 'end', atMs },
    ],
  }
}

/** A streaming success response: headers with the first frame, then each frame at its time, then the end. */
export function ssePlan(ex: Exchange, frames: Array<{ atMs: number; data: string }>): Plan {
  const first = frames[0]?.atMs ?? 0
  const last = frames[frames.length - 1]?.atMs ?? first
  return {
    status: 200,
    headers: providerHeaders(ex, 'text/event-stream; charset=utf-8', first),
    headersAtMs: first,
    steps: [...frames.map((f) => ({ kind: 'write' as const, ...f })), { kind: 'end', atMs: last }],
  }
}

/**
 * The 429 a provider sends when a rate limit is hit, in its own words: OpenAI's "Rate limit reached for <model>
 * … on requests per min (RPM)" with type `requests`/`tokens`, or Anthropic's `rate_limit_error`. Used by the
 * upstream's own buckets and by the `rate-limit` fault.
 */
export function rateLimitSpec(
  ex: Exchange,
  kind: 'requests' | 'tokens',
  o: { used: number; requested: number; retryAfterMs: number; sendRetryAfter?: boolean },
): ErrorSpec {
  const bucket = kind === 'requests' ? ex.upstream.limiter.requests : ex.upstream.limiter.tokens
  const retry = o.sendRetryAfter === false ? {} : { retryAfterMs: o.retryAfterMs }
  if (ex.provider === 'anthropic') {
    const what = kind === 'requests' ? 'requests' : 'input tokens'
    return {
      status: 429,
      type: 'rate_limit_error',
      message: `This request would exceed your organization's rate limit of ${bucket.limit} ${what} per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.`,
      ...retry,
    }
  }
  const body = ex.body as { model?: unknown } | undefined
  const model = typeof body?.model === 'string' ? body.model : 'this model'
  const unit = kind === 'requests' ? 'requests per min (RPM)' : 'tokens per min (TPM)'
  return {
    status: 429,
    type: kind,
    code: 'rate_limit_exceeded',
    message: `Rate limit reached for ${model} in organization org-brownout on ${unit}: Limit ${bucket.limit}, Used ${o.used}, Requested ${o.requested}. Please try again in ${goDuration(o.retryAfterMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
    ...retry,
  }
}
