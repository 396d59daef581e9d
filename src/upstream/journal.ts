import type { RequestDigest, Usage } from '../dialects/passthrough.js'
import type { Effect } from '../faults/effect.js'

/** One upstream attempt: what arrived, what brownout answered, and how it ended. */
export interface JournalEntry {
  /** Order of arrival at this upstream, from 1. */
  seq: number
  upstream: string
  requestId: string
  /** Where the id came from: the x-brownout-request-id header, the [brownout:<id>] body marker, or generated. */
  idSource: 'header' | 'marker' | 'generated'
  /** How many times this id has been seen across all upstreams sharing the attempt counter (1 = first attempt). */
  attempt: number
  /** How many times this id has been seen at this upstream. */
  upstreamAttempt: number
  /** Arrival time, ms since the Unix epoch. */
  receivedAt: number
  method: string
  path: string
  /** The family whose shapes the answer used (`openai`, `anthropic`, …). */
  provider: string
  model: string | null
  stream: boolean
  /**
   * Present (true) when the request ended on an assistant turn: an assistant prefill, such as a gateway resuming a
   * cut stream by sending the partial answer for the model to continue. Absent otherwise.
   */
  prefill?: true
  /** HTTP status sent, or null when no status line was sent (reset, close, hang, garbage, or not yet). */
  status: number | null
  /** Provider error type sent (e.g. `rate_limit_error`), or null on success. */
  errorType: string | null
  /** Body bytes written. */
  bytes: number
  /** From arrival to the end of the exchange (for an open attempt: to the moment it was snapshotted). */
  durationMs: number
  /** From arrival to the first byte written, or null. */
  firstByteMs: number | null
  /** The x-stainless-retry-count header (SDK retries), or null when absent. */
  stainlessRetryCount: number | null
  /** The client went away before the response was complete. */
  clientDisconnected: boolean
  /**
   * How the exchange ended; `open` when it had not ended when the journal was read (the SUT still held it open):
   * the entry then says what was sent so far (status if headers went out, bytes, first byte) and for how long.
   */
  endedBy: 'end' | 'reset' | 'close' | 'hang' | 'client' | 'open'
  /** The fault rule that fired (its index or name), or null. */
  rule: string | null
  /** The fault types that fired, in order. */
  faults: string[]
  /**
   * What the fired faults declared they do to this attempt (fatal, transient, mid-stream, none; composed in order),
   * `transient` for a request the overload model shed, `none` when no fault fired: grading reads it. Absent in runs
   * saved before it existed: grading then reads the fault names as it did then.
   */
  effect?: Effect
  /** Retry-After sent with this response, in ms, or null. */
  retryAfterMs: number | null
  /**
   * Whether the attempt carried a request brownout could serve: `ok`; `empty` (a POST with no body); `incomplete`
   * (the sender went away before the body's end, e.g. Caddy 2.6's retries: a content-length and no bytes);
   * `invalid` (not JSON, or brownout's validation answered its own 400 before any fault). An attempt that is not
   * `ok` is a real attempt but not a retry of the request. Absent in runs saved before it existed: read as `ok`.
   */
  requestBody?: RequestBody
  /** Body writes played (SSE frames, or 1 for a JSON body). Absent in runs saved before it existed. */
  writes?: number
  /** From arrival to the first body write, ms; null when none went out. */
  firstWriteMs?: number | null
  /** From arrival to the last body write, ms; null when none went out. */
  lastWriteMs?: number | null
  /** The usage the answer written reported (its last report, field by field), null when it reported none. */
  usage?: Usage | null
  /** The request as it arrived, digested (body fields a gateway must pass through, header names). */
  received?: RequestDigest
}

export type RequestBody = 'ok' | 'empty' | 'incomplete' | 'invalid'

export interface JournalQuery {
  id?: string
  /** Only entries with seq greater than this. */
  since?: number
}

/** What an open attempt looks like now: its entry as it would be recorded if it were snapshotted at this moment. */
export interface OpenSnapshot {
  snapshot(): JournalEntry
}

/**
 * Every attempt an upstream served: an attempt is opened when it arrives and recorded when it ends, in order of
 * completion. Bounded: past `capacity` the oldest ended entries are dropped and counted, so a long soak cannot
 * exhaust memory; open attempts are few (each holds a connection) and are never dropped.
 */
export class Journal {
  private entries: JournalEntry[] = []
  private head = 0
  private listeners = new Set<(entry: JournalEntry) => void>()
  /** Attempts that arrived and have not ended, by seq. */
  private opened = new Map<number, OpenSnapshot>()
  /** Entries dropped because the journal was full. */
  dropped = 0
  /** Entries ever recorded. */
  total = 0

  constructor(readonly capacity = 200_000) {}

  /** An attempt arrived: it is open until `record` ends it. `snapshot` says what it has sent so far. */
  open(seq: number, snapshot: OpenSnapshot): void {
    this.opened.set(seq, snapshot)
  }

  /** Attempts that arrived and have not ended yet, oldest first, each with `endedBy: 'open'`. */
  openEntries(query: JournalQuery = {}): JournalEntry[] {
    const out: JournalEntry[] = []
    for (const snapshot of this.opened.values()) {
      const e = snapshot.snapshot()
      if (matchesQuery(e, query)) out.push(e)
    }
    return out
  }

  /** How many attempts are open now. */
  get openCount(): number {
    return this.opened.size
  }

  /** An attempt ended (or was served without being opened): it is no longer open, and joins the entries. */
  record(entry: JournalEntry): void {
    this.opened.delete(entry.seq)
    this.total++
    this.entries.push(entry)
    if (this.entries.length - this.head > this.capacity) {
      this.head++
      this.dropped++
      if (this.head > 4096 && this.head * 2 > this.entries.length) {
        this.entries = this.entries.slice(this.head)
        this.head = 0
      }
    }
    for (const listener of this.listeners) listener(entry)
  }

  /** Entries held now, oldest first, optionally filtered. */
  list(query: JournalQuery = {}): JournalEntry[] {
    const out: JournalEntry[] = []
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]
      if (e && matchesQuery(e, query)) out.push(e)
    }
    return out
  }

  get size(): number {
    return this.entries.length - this.head
  }

  /** Calls `listener` for every entry recorded from now on; returns the unsubscribe function. */
  subscribe(listener: (entry: JournalEntry) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Forgets every entry, open attempts included (one that ends later is recorded then, as before a reset). */
  clear(): void {
    this.opened.clear()
    this.entries = []
    this.head = 0
    this.dropped = 0
    this.total = 0
  }
}

/** Whether an entry is one a journal query asks for. */
export function matchesQuery(e: JournalEntry, query: JournalQuery): boolean {
  return (query.id === undefined || e.requestId === query.id) && (query.since === undefined || e.seq > query.since)
}
