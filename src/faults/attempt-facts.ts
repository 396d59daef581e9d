import type { IncomingHttpHeaders } from 'node:http'

/** What fault rules match on (`when: { path, model, stream, prefill, header, attempt, … }`): facts of one attempt, no more. */
export interface AttemptFacts {
  requestId: string
  /** Attempt number of the logical request, from 1. */
  attempt: number
  /** Request path without the query. */
  path: string
  /** The request's model (from the body, or the path for Gemini), when it names one. */
  model: string | null
  /** Whether the request asked for a stream. */
  stream: boolean
  /** Whether the request ends on an assistant turn: an assistant prefill (the dialect's `requestFacts`). */
  prefill: boolean
  headers: IncomingHttpHeaders
  /** Arrival time, ms since the Unix epoch (for `during`). */
  arrivalMs: number
}

/** A request header's first value. */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}
