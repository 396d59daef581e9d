import type { RequestDigest, Usage } from '../dialects/passthrough.js'
import type { ClientRecord } from '../load/record.js'
import type { JournalEntry } from '../upstream/journal.js'
import { type ColumnField, type Decode, RowHolder, SummaryColumns } from './columns.js'
import { SharedParts, SUMMARY_BASE } from './shared-parts.js'

/** The kept response headers grading reads (layer-checks' Retry-After of a refusal); the others are dropped. */
const GRADED_HEADERS = ['retry-after', 'retry-after-ms'] as const

type RecordColumn = (typeof RECORD_NUMBERS)[number] | 'sent'
type EntryColumn = (typeof ENTRY_NUMBERS)[number] | 'requestN' | 'received'

/** A record's numbers, held in columns (after its id, at bit 0, and before its `sent` digest's hash). */
const RECORD_NUMBERS = [
  'n',
  'intendedAt',
  'sendLagMs',
  'latencyMs',
  'ttftMs',
  'bytes',
  'gapsTotalMs',
  'processStartMs',
  'abandonedAtMs',
] as const
/** A journal entry's numbers, held in columns (after its request id, at bit 0, and before its `received` hash). */
const ENTRY_NUMBERS = [
  'seq',
  'attempt',
  'upstreamAttempt',
  'receivedAt',
  'durationMs',
  'firstByteMs',
  'bytes',
  'firstWriteMs',
  'lastWriteMs',
] as const

/** A request digest's content hash as a number, when it is the 8 hex digits `requestDigest` makes. */
function hashNumber(content: unknown): number | undefined {
  // As a 32-bit integer (| 0), which a column holds in 4 bytes.
  return typeof content === 'string' && /^[0-9a-f]{8}$/.test(content) ? Number.parseInt(content, 16) | 0 : undefined
}

function hashText(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0')
}

/** The number of a request id `prefix` + a number, as it prints (`brn-<run>-42` → 42), or undefined. */
function idNumber(prefix: string | undefined, id: unknown): number | undefined {
  if (prefix === undefined || typeof id !== 'string' || !id.startsWith(prefix)) return undefined
  const rest = id.slice(prefix.length)
  const n = Number(rest)
  return rest.length > 0 && rest.length <= 15 && String(n) === rest ? n : undefined
}

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
  private digestParts = new Map<object, { id: number; decode: Decode }>()
  private readonly records: SummaryColumns<RecordColumn>
  private readonly entries: SummaryColumns<EntryColumn>

  /**
   * `idPrefix`: the run's request ids are it and a number (`brn-<run id>-`): such an id is kept as its number and
   * made again when read.
   */
  constructor(
    private readonly expected?: ExpectedText,
    idPrefix?: string,
  ) {
    const id: Decode = (n) => `${idPrefix}${n}`
    const numbers = <F extends string>(names: readonly F[]): Array<ColumnField<F>> =>
      names.map((name) => ({ name, column: name }))
    this.records = new SummaryColumns<RecordColumn>(
      [{ name: 'id', column: 'n', decode: id }, ...numbers(RECORD_NUMBERS), { name: 'sent', column: 'sent' }],
      SUMMARY_BASE,
    )
    this.entries = new SummaryColumns<EntryColumn>(
      [
        { name: 'requestId', column: 'requestN', decode: id },
        ...numbers(ENTRY_NUMBERS),
        { name: 'received', column: 'received' },
      ],
      SUMMARY_BASE,
    )
    this.idPrefix = idPrefix
  }

  private readonly idPrefix: string | undefined

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

  /** A digest whose hash goes in a column: the hash, and how it reads back (its shared part, by number). */
  private digestColumn(d: RequestDigest): { hash: number; id: number; decode: Decode } | undefined {
    const hash = typeof d === 'object' && d !== null ? hashNumber(d.content) : undefined
    if (hash === undefined) return undefined
    const { content: _content, headers, ...rest } = d
    const names = Array.isArray(headers) ? this.one(`h${headers.join('\n')}`, headers) : headers
    const part = this.parts.part({ ...rest, headers: names })
    if (!part) return undefined
    let known = this.digestParts.get(part)
    if (!known) {
      const decode: Decode = (n) => {
        const digest = Object.create(part) as { content: string }
        digest.content = hashText(n)
        return digest
      }
      known = { id: this.digestParts.size, decode }
      this.digestParts.set(part, known)
    }
    return { hash, ...known }
  }

  /**
   * The summary of `from`: `shared` as its shared part; its id (bit 0), its numbers (`names`) and its digest's hash
   * (`digestField`, the last bit) in `columns`; what is not a number, and `own`, its own fields.
   */
  private columnar<F extends string, T>(
    columns: SummaryColumns<F>,
    shared: Record<string, unknown>,
    own: Record<string, unknown>,
    id: { name: string; value: unknown; n: number | undefined },
    numbers: ReadonlyArray<[string, unknown]>,
    digest: { name: string; value: RequestDigest | undefined },
  ): T {
    const row = columns.row()
    const summary = new RowHolder(row) as unknown as Record<string, unknown>
    let mask = id.n === undefined ? 0 : columns.put(0, row, id.n)
    if (mask === 0 && id.value !== undefined) summary[id.name] = id.value
    numbers.forEach(([name, value], i) => {
      const bit = columns.put(i + 1, row, value)
      if (bit !== 0) mask |= bit
      else if (value !== undefined) summary[name] = value
    })
    const hashed = digest.value === undefined ? undefined : this.digestColumn(digest.value)
    if (hashed) mask |= columns.put(numbers.length + 1, row, hashed.hash)
    else if (digest.value !== undefined) summary[digest.name] = this.digest(digest.value)
    Object.assign(summary, own)
    const { proto, key } = hashed
      ? columns.proto(mask, { [digest.name]: hashed.decode }, String(hashed.id))
      : columns.proto(mask)
    return this.parts.join<T>(shared, summary, proto, key)
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
    const id = idNumber(this.idPrefix, e.requestId)
    return this.columnar<EntryColumn, JournalEntry>(
      this.entries,
      shared,
      {},
      { name: 'requestId', value: e.requestId, n: id },
      ENTRY_NUMBERS.map((name) => [name, (e as unknown as Record<string, unknown>)[name]]),
      { name: 'received', value: e.received },
    )
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
    const own: Record<string, unknown> = {}
    if (r.text !== null && !textIsExpected) own.text = r.text
    if (r.bodyHead !== null) own.bodyHead = r.bodyHead
    const gaps = Array.isArray(r.gapsMs) && r.gapsMs.length > 0 ? r.gapsMs.reduce((s, g) => s + g, 0) : undefined
    const id = idNumber(this.idPrefix, r.id)
    return this.columnar<RecordColumn, ClientRecord>(
      this.records,
      shared,
      own,
      { name: 'id', value: r.id, n: id !== undefined && id === r.n ? id : undefined },
      RECORD_NUMBERS.map((name) => [
        name,
        name === 'gapsTotalMs' ? gaps : (r as unknown as Record<string, unknown>)[name],
      ]),
      { name: 'sent', value: r.sent },
    )
  }
}
