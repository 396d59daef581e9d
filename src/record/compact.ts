import type { RequestDigest, Usage } from '../dialects/passthrough.js'
import type { ClientRecord } from '../load/record.js'
import type { JournalEntry } from '../upstream/journal.js'
import { SharedParts } from './shared-parts.js'

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
 * digests' parts are shared; what repeats from one request to the next (outcome, status, model, phase, faults…)
 * is one shared part per distinct combination (src/record/shared-parts.ts), and each summary holds only its own id,
 * number, times and digests. Used on a live run's records as they complete and on a saved run's lines as they
 * load. It takes values as they come: checking them is grading's business, and a line missing a field must not
 * crash the loader. The summary is a new object: the caller writes the full record first.
 */
export class Compactor {
  private strings = new Map<string, string>()
  private readonly noFaults: string[] = []
  private readonly noGaps: number[] = []
  private readonly noHeaders: Record<string, string> = {}
  private shared = new Map<string, object>()
  private parts = new SharedParts()

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

  /** A request digest: its conversation's hash its own, the rest (max_tokens, stream, tools, header names) shared. */
  private digest(d: RequestDigest): RequestDigest {
    if (typeof d !== 'object' || d === null) return d
    const { content, headers, ...rest } = d
    const names = Array.isArray(headers) ? this.one(`h${headers.join('\n')}`, headers) : headers
    return this.parts.join<RequestDigest>({ ...rest, headers: names }, { content })
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
    const shared: Record<string, unknown> = {
      upstream: this.s(e.upstream),
      idSource: this.s(e.idSource),
      method: this.s(e.method),
      path: this.s(e.path),
      provider: this.s(e.provider),
      model: this.s(e.model),
      stream: e.stream,
      status: e.status,
      errorType: this.s(e.errorType),
      stainlessRetryCount: e.stainlessRetryCount,
      clientDisconnected: e.clientDisconnected,
      endedBy: this.s(e.endedBy),
      rule: this.s(e.rule),
      faults: !Array.isArray(e.faults) || e.faults.length === 0 ? this.noFaults : this.one(`f${e.faults}`, e.faults),
      retryAfterMs: e.retryAfterMs,
    }
    if (e.prefill !== undefined) shared.prefill = e.prefill
    if (e.effect !== undefined) shared.effect = this.s(e.effect)
    if (e.requestBody !== undefined) shared.requestBody = this.s(e.requestBody)
    if (e.writes !== undefined) shared.writes = e.writes
    if (e.usage !== undefined) shared.usage = this.usage(e.usage)
    const own: Record<string, unknown> = {
      seq: e.seq,
      requestId: e.requestId,
      attempt: e.attempt,
      upstreamAttempt: e.upstreamAttempt,
      receivedAt: e.receivedAt,
      durationMs: e.durationMs,
      firstByteMs: e.firstByteMs,
      bytes: e.bytes,
    }
    if (e.firstWriteMs !== undefined) own.firstWriteMs = e.firstWriteMs
    if (e.lastWriteMs !== undefined) own.lastWriteMs = e.lastWriteMs
    if (e.received !== undefined) own.received = this.digest(e.received)
    return this.parts.join<JournalEntry>(shared, own)
  }

  record(r: ClientRecord): ClientRecord {
    const expected = this.expected && typeof r.text === 'string' ? this.expected(r) : null
    const textIsExpected = expected !== null && r.text === expected
    const shared: Record<string, unknown> = {
      api: this.s(r.api),
      model: this.s(r.model),
      stream: r.stream,
      maxTokens: r.maxTokens,
      phase: this.s(r.phase),
      outcome: this.s(r.outcome),
      status: r.status,
      gapsMs: this.noGaps,
      events: r.events,
      terminal: r.terminal,
      inBandError: this.s(r.inBandError),
      finishReason: this.s(r.finishReason),
      text: null,
      errorBody: r.errorBody ? this.one(`e${JSON.stringify(r.errorBody)}`, r.errorBody) : r.errorBody,
      bodyError: this.s(r.bodyError),
      bodyHead: null,
      streamContentType: this.s(r.streamContentType),
      error: this.s(r.error),
      headers: this.headers(r.headers),
    }
    if (textIsExpected) shared.textIsExpected = true
    if (r.usage !== undefined) shared.usage = this.usage(r.usage)
    if (r.answerModel !== undefined) shared.answerModel = this.s(r.answerModel)
    const own: Record<string, unknown> = {
      id: r.id,
      n: r.n,
      intendedAt: r.intendedAt,
      sendLagMs: r.sendLagMs,
      latencyMs: r.latencyMs,
      ttftMs: r.ttftMs,
      bytes: r.bytes,
    }
    if (r.text !== null && !textIsExpected) own.text = r.text
    if (r.bodyHead !== null) own.bodyHead = r.bodyHead
    if (Array.isArray(r.gapsMs) && r.gapsMs.length > 0) own.gapsTotalMs = r.gapsMs.reduce((s, g) => s + g, 0)
    if (r.processStartMs !== undefined) own.processStartMs = r.processStartMs
    if (r.abandonedAtMs !== undefined) own.abandonedAtMs = r.abandonedAtMs
    if (r.sent !== undefined) own.sent = this.digest(r.sent)
    return this.parts.join<ClientRecord>(shared, own)
  }
}
