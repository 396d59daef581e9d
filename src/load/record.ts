import type { ApiName } from '../scenario/schema.js'

/** How a logical request ended, from the client's side. */
export type Outcome =
  /** A 2xx with a body the client could read to its end. */
  | 'ok'
  /** An HTTP error status (4xx/5xx). */
  | 'http-error'
  /** The connection failed: refused, reset, closed, not HTTP. */
  | 'network-error'
  /** The client deadline passed: a hang. */
  | 'timeout'
  /** Due while max_in_flight requests were outstanding: never sent (counted, never hidden). */
  | 'not-sent'

/** One logical request as the load driver saw it. Times are ms since the load started. */
export interface ClientRecord {
  id: string
  /** Sequence number of the request in the run, from 0. */
  n: number
  api: ApiName
  model: string
  stream: boolean
  maxTokens: number | null
  phase: string
  /** When the schedule meant to send it. */
  intendedAt: number
  /** How late the driver actually sent it (ms after intendedAt). */
  sendLagMs: number
  /** Client mode: when the client program's process started (ms since the load started). */
  processStartMs?: number
  outcome: Outcome
  status: number | null
  /** From the intended send time to the end (no coordinated omission). */
  latencyMs: number
  /** From the intended send time to the first content token (streams) or the full body (non-streaming). */
  ttftMs: number | null
  /** Gaps between consecutive content events of a stream. */
  gapsMs: number[]
  /** Events (SSE frames) received. */
  events: number
  /** The stream's terminal event arrived: [DONE], message_stop, response.completed. */
  terminal: boolean
  /** An in-band error event arrived (its type or message). */
  inBandError: string | null
  finishReason: string | null
  /** The answer's text as received (capped), for exact truncation and duplication checks. */
  text: string | null
  /** Error body: a JSON error in the API's shape? And its type. */
  errorBody: { wellFormed: boolean; type: string | null; contentType: string | null } | null
  /** Body could not be parsed (invalid JSON on a 2xx). */
  bodyError: string | null
  /** Network error code or message. */
  error: string | null
  /** Response headers worth keeping (retry-after, gateway retry counters). */
  headers: Record<string, string>
  bytes: number
}
