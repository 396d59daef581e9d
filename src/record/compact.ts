import type { ClientRecord } from '../load/record.js'
import type { JournalEntry } from '../upstream/journal.js'

/** Kept response headers whose values repeat from one response to the next. */
const SHARED_HEADERS = ['content-type', 'x-brownout-attempt', 'retry-after', 'retry-after-ms']

/**
 * Shares what a million records and journal entries repeat: one copy of each short string (upstream, path,
 * model, content type…) and of empty lists and header maps, instead of one each. Used on a live run's records as
 * they complete and on a saved run's lines as they load; grading only reads these. It takes values as they
 * come: checking them is grading's business, and a line missing a field must not crash the loader.
 */
export class Compactor {
  private strings = new Map<string, string>()
  private readonly noFaults: string[] = []
  private readonly noGaps: number[] = []
  private readonly noHeaders: Record<string, string> = {}
  /** Header-name lists of request digests: a run has a handful, repeated on every line. */
  private headerLists = new Map<string, string[]>()

  private names(list: string[]): string[] {
    const key = list.join('\n')
    const known = this.headerLists.get(key)
    if (known) return known
    if (this.headerLists.size < 1000) this.headerLists.set(key, list)
    return list
  }

  private s<T extends string | null>(value: T): T {
    if (value === null) return value
    const known = this.strings.get(value)
    if (known !== undefined) return known as T
    if (this.strings.size < 10_000) this.strings.set(value, value)
    return value
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
    if (Array.isArray(e.faults) && e.faults.length === 0) e.faults = this.noFaults
    if (Array.isArray(e.received?.headers)) e.received.headers = this.names(e.received.headers)
    return e
  }

  record(r: ClientRecord): ClientRecord {
    r.model = this.s(r.model)
    r.api = this.s(r.api)
    r.outcome = this.s(r.outcome)
    r.phase = this.s(r.phase)
    r.finishReason = this.s(r.finishReason)
    r.error = this.s(r.error)
    if (Array.isArray(r.gapsMs) && r.gapsMs.length === 0) r.gapsMs = this.noGaps
    if (Array.isArray(r.sent?.headers)) r.sent.headers = this.names(r.sent.headers)
    if (r.answerModel) r.answerModel = this.s(r.answerModel)
    if (r.headers && Object.keys(r.headers).length === 0) r.headers = this.noHeaders
    else if (r.headers) {
      for (const name of SHARED_HEADERS) {
        const value = r.headers[name]
        if (value !== undefined) r.headers[name] = this.s(value)
      }
    }
    return r
  }
}
