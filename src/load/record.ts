import type { RequestDigest, Usage } from '../dialects/passthrough.js'
import type { ApiName } from '../dialects/registry.js'
import type { JournalEntry } from '../upstream/journal.js'

/** How a logical request ended, from the client's side. */
export type Outcome =
  /** A 2xx with a body the client could read to its end (a stream: up to its terminal event). */
  | 'ok'
  /**
   * A 2xx stream that broke: it ended without its terminal event ([DONE], message_stop, response.completed),
   * carried an in-band error, or was cut by a reset after its headers.
   */
  | 'broken-stream'
  /** An HTTP error status (4xx/5xx). */
  | 'http-error'
  /** The connection failed: refused, reset, closed, not HTTP. */
  | 'network-error'
  /** The client deadline passed: a hang. */
  | 'timeout'
  /** Due while max_in_flight requests were outstanding: never sent (counted, never hidden). */
  | 'not-sent'
  /**
   * The client gave up on it before its answer was complete (`load.cancel`): neither a success nor a failure of the
   * SUT. `abandonedAtMs` says when; the upstream's side of it is graded by the passthrough.cancel* checks.
   */
  | 'abandoned'

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
  /** Gaps between consecutive content events of a stream. Empty in the summary grading keeps: see gapsTotalMs. */
  gapsMs: number[]
  /** Set in the summary grading keeps (src/record/compact.ts), for a stream with gaps: their sum, ms. */
  gapsTotalMs?: number
  /** Events (SSE frames) received. */
  events: number
  /** The stream's terminal event arrived: [DONE], message_stop, response.completed. */
  terminal: boolean
  /** An in-band error event arrived (its type or message). */
  inBandError: string | null
  finishReason: string | null
  /**
   * The answer's text as received (capped), for exact truncation and duplication checks. Null in a graded run's
   * summary whose text was exactly the expected answer (`textIsExpected`).
   */
  text: string | null
  /** Set in the summary grading keeps (src/record/compact.ts): the text was the expected answer, and was dropped. */
  textIsExpected?: true
  /** Error body: a JSON error in the API's shape? And its type. */
  errorBody: { wellFormed: boolean; type: string | null; contentType: string | null } | null
  /** Body could not be parsed (invalid JSON on a 2xx). */
  bodyError: string | null
  /**
   * The first bytes (≤ 120) of a body that was not a success the client could read: an error status, an
   * unparseable 2xx. What the client actually got, for examples next to the upstream timeline.
   */
  bodyHead: string | null
  /**
   * A stream (the request asked for one, the body is SSE) whose content-type is not text/event-stream: the
   * content-type it had ('' when none). Null when the label was right or the answer was not a stream.
   */
  streamContentType: string | null
  /** Network error code or message. */
  error: string | null
  /** When the client abandoned the request (`load.cancel`), ms since the load started; absent otherwise. */
  abandonedAtMs?: number
  /** Response headers worth keeping (retry-after, gateway retry counters). */
  headers: Record<string, string>
  bytes: number
  /** The usage the answer reported (a stream's reports folded, field by field), null when it reported none. */
  usage?: Usage | null
  /** The model the answer named, null when it named none. */
  answerModel?: string | null
  /** What the client sent, digested (absent for requests a client-mode SUT sent itself). */
  sent?: RequestDigest
}

/** How many sent requests have no upstream attempt in the journal. */
export function neverReached(
  records: readonly ClientRecord[],
  journal: ReadonlyArray<Pick<JournalEntry, 'requestId'>>,
): number {
  const reached = new Set<string>()
  for (const e of journal) reached.add(e.requestId)
  let n = 0
  for (const r of records) if (r.outcome !== 'not-sent' && r.outcome !== 'abandoned' && !reached.has(r.id)) n++
  return n
}

/** The sum of a stream's gaps between content events (ms): from a summary's total, or the gaps themselves. */
export function gapsTotalMs(r: Pick<ClientRecord, 'gapsMs' | 'gapsTotalMs'>): number {
  return r.gapsTotalMs ?? r.gapsMs.reduce((s, g) => s + g, 0)
}
