/**
 * Google's error wire form (google.rpc.Status as JSON), shared by every Google API dialect:
 * `{"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED","details":[…]}}`.
 * Pure: no upstream state, so the client side (interpretation) and the server side (answers) read one table.
 */

/** The canonical status name Google sends for each HTTP status (google.rpc.Code as mapped to HTTP). */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  412: 'FAILED_PRECONDITION',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}

/** The HTTP status of a status name (`UNAVAILABLE` → 503), for in-band errors that name only the status. */
export function statusOfName(name: string): number | undefined {
  for (const [status, n] of Object.entries(STATUS_NAMES)) if (n === name) return Number(status)
  return undefined
}

/** Google's status name for an HTTP status (`UNKNOWN` for a 5xx it has no name for, `FAILED_PRECONDITION` else). */
export function googleStatusName(status: number): string {
  return STATUS_NAMES[status] ?? (status >= 500 ? 'UNKNOWN' : 'FAILED_PRECONDITION')
}

/** The message Google sends with each status, when a fault does not say. */
const MESSAGES: Record<number, string> = {
  400: 'Request contains an invalid argument.',
  401: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  403: 'The caller does not have permission',
  404: 'Requested entity was not found.',
  429: 'Resource has been exhausted (e.g. check quota).',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
  504: 'The request timed out. Please try again.',
}

export function googleDefaultMessage(status: number): string {
  return MESSAGES[status] ?? (status >= 500 ? 'Internal error encountered.' : `Error ${status}`)
}

/**
 * A protobuf Duration in its JSON form, as RetryInfo's `retryDelay` carries it: seconds with 0, 3, 6 or 9
 * fractional digits and an `s` (`3s`, `1.300s`). brownout's delays are whole milliseconds, so 0 or 3 digits.
 */
export function protoDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms))
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${(whole / 1000).toFixed(3)}s`
}

/** Milliseconds of a protobuf Duration (`45.837906927s`), or undefined when it is not one. */
export function parseProtoDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const m = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(value.trim())
  if (!m?.[1]) return undefined
  return Number(m[1]) * 1000 + Number(`0.${m[2] ?? '0'}`) * 1000
}

export const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo'
export const QUOTA_FAILURE = 'type.googleapis.com/google.rpc.QuotaFailure'
export const HELP = 'type.googleapis.com/google.rpc.Help'
export const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo'

/** A google.rpc.RetryInfo detail: how long to wait before retrying. */
export function retryInfo(retryAfterMs: number): Record<string, unknown> {
  return { '@type': RETRY_INFO, retryDelay: protoDuration(retryAfterMs) }
}

/** The Help detail the Gemini API puts on quota errors. */
export const RATE_LIMIT_HELP = {
  '@type': HELP,
  links: [
    { description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' },
  ],
}

/** A google.rpc.QuotaFailure detail naming the quota that was hit. */
export function quotaFailure(
  quotaId: string,
  metric: string,
  model: string | null,
  value?: number,
): Record<string, unknown> {
  const violation: Record<string, unknown> = {
    quotaMetric: `generativelanguage.googleapis.com/${metric}`,
    quotaId,
    quotaDimensions: model === null ? { location: 'global' } : { location: 'global', model },
  }
  if (value !== undefined) violation.quotaValue = String(value)
  return { '@type': QUOTA_FAILURE, violations: [violation] }
}

export interface GoogleErrorSpec {
  status: number
  message: string
  /** Overrides the status name (`RESOURCE_EXHAUSTED`, …) derived from the HTTP status. */
  statusName?: string
  details?: ReadonlyArray<Record<string, unknown>>
}

/** The error body: `{"error":{"code","message","status","details"?}}`. */
export function googleErrorBody(spec: GoogleErrorSpec): { error: Record<string, unknown> } {
  const error: Record<string, unknown> = {
    code: spec.status,
    message: spec.message,
    status: spec.statusName ?? googleStatusName(spec.status),
  }
  if (spec.details && spec.details.length > 0) error.details = spec.details
  return { error }
}

/** The retry delay a Google error body asks for (its RetryInfo detail), in ms; undefined when it names none. */
export function retryDelayOf(body: unknown): number | undefined {
  const error = (body as { error?: { details?: unknown } } | null | undefined)?.error
  if (!Array.isArray(error?.details)) return undefined
  for (const detail of error.details as unknown[]) {
    const d = detail as Record<string, unknown> | null
    if (d?.['@type'] === RETRY_INFO) return parseProtoDuration(d.retryDelay)
  }
  return undefined
}

/** Whether an error body a client received is Google's shape (`code`, `message`, `status`), and its status name. */
export function readGoogleError(raw: string): { wellFormed: boolean; type: string | null } {
  let data: unknown
  try {
    data = JSON.parse(raw)
  } catch {
    return { wellFormed: false, type: null }
  }
  const error = (data as { error?: unknown } | null)?.error as Record<string, unknown> | undefined
  if (!error || typeof error !== 'object') return { wellFormed: false, type: null }
  const wellFormed =
    typeof error.code === 'number' && typeof error.message === 'string' && typeof error.status === 'string'
  return { wellFormed, type: typeof error.status === 'string' ? error.status : null }
}
