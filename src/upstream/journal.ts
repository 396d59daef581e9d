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
  provider: 'openai' | 'anthropic'
  model: string | null
  stream: boolean
  /** HTTP status sent, or null when no status line was sent (reset, close, hang, garbage). */
  status: number | null
  /** Provider error type sent (e.g. `rate_limit_error`), or null on success. */
  errorType: string | null
  /** Body bytes written. */
  bytes: number
  /** From arrival to the end of the exchange. */
  durationMs: number
  /** From arrival to the first byte written, or null. */
  firstByteMs: number | null
  /** The x-stainless-retry-count header (SDK retries), or null when absent. */
  stainlessRetryCount: number | null
  /** The client went away before the response was complete. */
  clientDisconnected: boolean
  /** How the exchange ended. */
  endedBy: 'end' | 'reset' | 'close' | 'hang' | 'client'
  /** The fault rule that fired (its index or name), or null. */
  rule: string | null
  /** The fault types that fired, in order. */
  faults: string[]
  /** Retry-After sent with this response, in ms, or null. */
  retryAfterMs: number | null
}

export interface JournalQuery {
  id?: string
  /** Only entries with seq greater than this. */
  since?: number
}

/**
 * Every attempt an upstream served, in arrival order of completion. Bounded: past `capacity` the oldest entries
 * are dropped and counted, so a long soak cannot exhaust memory.
 */
export class Journal {
  private entries: JournalEntry[] = []
  private head = 0
  private listeners = new Set<(entry: JournalEntry) => void>()
  /** Entries dropped because the journal was full. */
  dropped = 0
  /** Entries ever recorded. */
  total = 0

  constructor(readonly capacity = 200_000) {}

  record(entry: JournalEntry): void {
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
      if (!e) continue
      if (query.id !== undefined && e.requestId !== query.id) continue
      if (query.since !== undefined && e.seq <= query.since) continue
      out.push(e)
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

  clear(): void {
    this.entries = []
    this.head = 0
    this.dropped = 0
    this.total = 0
  }
}
