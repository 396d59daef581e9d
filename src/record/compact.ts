import type { RequestDigest, Usage } from '../dialects/passthrough.js'
import type { ClientRecord } from '../load/record.js'
import type { JournalEntry } from '../upstream/journal.js'

/** The kept response headers grading reads (layer-checks' Retry-After of a refusal); the others are dropped. */
const GRADED_HEADERS = ['retry-after', 'retry-after-ms'] as const

/**
 * The complete answer a request should get, or null when it has none (embeddings): the summary of a record whose
 * text is exactly that answer keeps `textIsExpected` instead of the text.
 */
export type ExpectedText = (record: ClientRecord) => string | null

/**
 * Turns each record and journal entry, once it is written to disk, into the summary grading keeps in memory:
 * only what the checks read, and what a million of them repeat shared. The answer's text is dropped when it is
 * the expected answer (`textIsExpected`; the checks compare against that answer anyway), a stream's gaps become
 * their total (`gapsTotalMs`, all the checks read), the kept response headers become the Retry-After ones (one
 * shared object per distinct value), and short strings, usage reports, error bodies, empty lists and the request
 * digests' parts are shared. Used on a live run's records as they complete and on a saved run's lines as they
 * load. It takes values as they come: checking them is grading's business, and a line missing a field must not
 * crash the loader. The summary is a new object: the caller writes the full record first.
 */
export class Compactor {
  private strings = new Map<string, string>()
  private readonly noFaults: string[] = []
  private readonly noGaps: number[] = []
  private readonly noHeaders: Record<string, string> = {}
  private shared = new Map<string, object>()

  constructor(private readonly expected?: ExpectedText) {}

  /** One copy of each of a bounded number of distinct values, by key. */
  private one<T extends object>(key: string, value: T): T {
    const known = this.shared.get(key)
    if (known) return known as T
    if (this.shared.size < 10_000) this.shared.set(key, value)
    return value
  }

  private s<T extends string | null>(value: T): T {
    if (value === null || typeof value !== 'string' || value.length > 64) return value
    const known = this.strings.get(value)
    if (known !== undefined) return known as T
    if (this.strings.size < 10_000) this.strings.set(value, value)
    return value
  }

  private usage<T extends Usage | null | undefined>(u: T): T {
    if (u === null || u === undefined || typeof u !== 'object') return u
    return this.one(`u${u.input}/${u.output}`, u)
  }

  /** A request digest: its header-name list shared; the digest itself is one object per distinct conversation. */
  private digest<T extends RequestDigest | undefined>(d: T): T {
    if (d === undefined || typeof d !== 'object' || d === null) return d
    if (Array.isArray(d.headers)) d.headers = this.one(`h${d.headers.join('\n')}`, d.headers)
    d.content = this.s(d.content)
    return d
  }

  private headers(h: Record<string, string> | undefined): Record<string, string> {
    if (!h || typeof h !== 'object') return this.noHeaders
    let kept: Record<string, string> | undefined
    for (const name of GRADED_HEADERS) {
      const value = h[name]
      if (value === undefined) continue
      kept ??= {}
      kept[name] = value
    }
    return kept ? this.one(`r${JSON.stringify(kept)}`, kept) : this.noHeaders
  }

  entry(e: JournalEntry): JournalEntry {
    e.upstream = this.s(e.upstream)
    e.idSource = this.s(e.idSource)
    e.provider = this.s(e.provider)
    e.endedBy = this.s(e.endedBy)
    e.method = this.s(e.method)
    e.path = this.s(e.path)
    e.model = this.s(e.model)
    e.errorType = this.s(e.errorType)
    e.rule = this.s(e.rule)
    if (e.effect !== undefined) e.effect = this.s(e.effect)
    if (e.requestBody !== undefined) e.requestBody = this.s(e.requestBody)
    if (Array.isArray(e.faults)) e.faults = e.faults.length === 0 ? this.noFaults : this.one(`f${e.faults}`, e.faults)
    if (e.usage !== undefined) e.usage = this.usage(e.usage)
    if (e.received !== undefined) e.received = this.digest(e.received)
    return e
  }

  record(r: ClientRecord): ClientRecord {
    const expected = this.expected && typeof r.text === 'string' ? this.expected(r) : null
    const textIsExpected = expected !== null && r.text === expected
    const gaps = Array.isArray(r.gapsMs) ? r.gapsMs : this.noGaps
    const summary: ClientRecord = {
      id: r.id,
      n: r.n,
      api: this.s(r.api),
      model: this.s(r.model),
      stream: r.stream,
      maxTokens: r.maxTokens,
      phase: this.s(r.phase),
      intendedAt: r.intendedAt,
      sendLagMs: r.sendLagMs,
      outcome: this.s(r.outcome),
      status: r.status,
      latencyMs: r.latencyMs,
      ttftMs: r.ttftMs,
      gapsMs: this.noGaps,
      events: r.events,
      terminal: r.terminal,
      inBandError: this.s(r.inBandError),
      finishReason: this.s(r.finishReason),
      text: textIsExpected ? null : r.text,
      errorBody: r.errorBody ? this.one(`e${JSON.stringify(r.errorBody)}`, r.errorBody) : r.errorBody,
      bodyError: this.s(r.bodyError),
      bodyHead: this.s(r.bodyHead),
      streamContentType: this.s(r.streamContentType),
      error: this.s(r.error),
      headers: this.headers(r.headers),
      bytes: r.bytes,
    }
    if (textIsExpected) summary.textIsExpected = true
    if (gaps.length > 0) summary.gapsTotalMs = gaps.reduce((s, g) => s + g, 0)
    if (r.processStartMs !== undefined) summary.processStartMs = r.processStartMs
    if (r.abandonedAtMs !== undefined) summary.abandonedAtMs = r.abandonedAtMs
    if (r.usage !== undefined) summary.usage = this.usage(r.usage)
    if (r.answerModel !== undefined) summary.answerModel = this.s(r.answerModel)
    if (r.sent !== undefined) summary.sent = this.digest(r.sent)
    return summary
  }
}
