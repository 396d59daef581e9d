import type { ErrorSpec } from '../error-spec.js'
import type { Family } from '../family.js'
import { obj, parseObject, retryAfterHeaders, str } from './shared.js'

/** Anthropic's error type for each status (docs.claude.com/en/api/errors). */
const TYPES: Record<number, string> = {
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

function errorType(status: number): string {
  return TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error')
}

function sseEvent(type: string, json: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(json)}\n\n`
}

/** An RFC 3339 timestamp to the second, as Anthropic's reset headers carry. */
function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`
}

/** Anthropic: `{ type: 'error', error: { type, message }, request_id }`, `anthropic-ratelimit-*` headers, 529. */
export const anthropicFamily: Family = {
  id: 'anthropic',
  recognizes: (headers) => headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined,
  errorType,
  defaultMessage: (status) => (status >= 500 ? 'Internal server error' : `Error ${status}`),
  error: (spec, facts) => {
    const type = spec.type ?? errorType(spec.status)
    const error: Record<string, unknown> = { type, message: spec.message }
    if (spec.details) error.details = spec.details
    return {
      type,
      body: { type: 'error', error, request_id: facts.providerRequestId },
      ...retryAfterHeaders(spec, 'anthropic'),
    }
  },
  bodyProblem: (issue, param) => {
    const what = issue.code === 'invalid_type' && issue.input === undefined ? 'Field required' : issue.message
    return { message: `${param || 'body'}: ${what}`, param, code: null }
  },

  rateLimit: (f) => {
    const what = f.kind === 'requests' ? 'requests' : 'input tokens'
    const spec: ErrorSpec = {
      status: 429,
      type: 'rate_limit_error',
      message: `This request would exceed your organization's rate limit of ${f.limit} ${what} per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.`,
    }
    if (f.sendRetryAfter !== false) spec.retryAfterMs = f.retryAfterMs
    return spec
  },
  rateLimitHeaders: (kind, retryAfterMs, nowMs) => ({
    [`anthropic-ratelimit-${kind}-remaining`]: '0',
    // Rounded up to the second, as the reset-only Retry-After form sends it: waiting until it is never early.
    [`anthropic-ratelimit-${kind}-reset`]: rfc3339(Math.ceil((nowMs + retryAfterMs) / 1000) * 1000),
  }),
  overloaded: () => ({ status: 529, type: 'overloaded_error', message: 'Overloaded' }),
  quota: () => ({
    status: 429,
    type: 'rate_limit_error',
    message:
      'You have reached your specified workspace API usage limits. You will regain access on the first of next month.',
    details: { error_code: 'enforced_spend_limit_reached' },
  }),
  notFound: (method, path) => ({ status: 404, type: 'not_found_error', message: `Not Found: ${method} ${path}` }),
  unknownModel: (model) => ({ status: 404, type: 'not_found_error', message: `model: ${model}` }),
  tooLarge: (limitBytes) => ({
    status: 413,
    type: 'request_too_large',
    code: 'request_too_large',
    message: `Request exceeds the maximum allowed number of bytes (${limitBytes}).`,
  }),
  badJson: (jsonError) => ({ status: 400, message: `Invalid JSON in request body: ${jsonError}` }),

  headers: ({ providerRequestId, nowMs, limits: { requests, tokens } }) => {
    const headers: Record<string, string> = {
      'request-id': providerRequestId,
      'anthropic-organization-id': '00000000-0000-4000-8000-00000b40a0a7',
      'anthropic-ratelimit-requests-limit': String(requests.limit),
      'anthropic-ratelimit-requests-remaining': String(requests.remaining),
      'anthropic-ratelimit-requests-reset': rfc3339(nowMs + requests.resetMs),
    }
    const roundedTokens = String(Math.round(tokens.remaining / 1000) * 1000)
    for (const family of ['tokens', 'input-tokens', 'output-tokens']) {
      headers[`anthropic-ratelimit-${family}-limit`] = String(tokens.limit)
      headers[`anthropic-ratelimit-${family}-remaining`] = roundedTokens
      headers[`anthropic-ratelimit-${family}-reset`] = rfc3339(nowMs + tokens.resetMs)
    }
    return headers
  },
  listModels: (ids, createdSec) => ({
    data: ids.map((id) => ({
      type: 'model',
      id,
      display_name: id,
      created_at: new Date(createdSec * 1000).toISOString(),
    })),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids[ids.length - 1] ?? null,
  }),

  streamError: (f) =>
    sseEvent('error', {
      type: 'error',
      error: { type: f.type ?? 'overloaded_error', message: f.message ?? 'Overloaded' },
    }),
  malformedFrame: (kind) =>
    kind === 'bad-json'
      ? 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":\n\n'
      : sseEvent('brownout_unknown', { type: 'brownout_unknown', note: 'clients must ignore unknown events' }),

  errorShape: (raw) => {
    const data = parseObject(raw)
    const error = obj(data?.error)
    if (!data || !error) return { wellFormed: false, type: null }
    return {
      wellFormed: data.type === 'error' && typeof error.type === 'string',
      type: str(error.type) ?? str(error.code) ?? null,
    }
  },
}
