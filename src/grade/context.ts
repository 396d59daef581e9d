import { FATAL_STATUSES, TRANSIENT_STATUSES } from '../faults/effect.js'
import { legacyEffect } from '../faults/legacy-effect.js'
import type { ClientRecord } from '../load/record.js'
import { expectedTextFor } from '../record/expected-text.js'
import type { PhaseWindow } from '../record/phase.js'
import type { RunData } from '../record/run-data.js'
import type { JournalEntry } from '../upstream/journal.js'
import { AttemptIndex, type AttemptLookup } from './attempt-index.js'

/** One attempt on a request's timeline, for examples in reports. */
export interface TimelineStep {
  upstream: string
  /** ms since the load started. */
  atMs: number
  status: number | null
  fault: string | null
  /** ms since the previous attempt ended (null for the first). */
  gapMs: number | null
  endedBy: string
  /** For an attempt still open when the run ended: how long it had been open, ms. */
  openMs?: number
  /** The attempt's request ended on an assistant turn (a prefill: a gateway resuming a cut stream, for one). */
  prefill?: true
}

/** The data of a run, indexed for checks: records in scope, every request's attempts in order. */
export interface GradeContext {
  data: RunData
  phase: PhaseWindow | null
  /** Client records in scope (the phase's, or all). */
  records: ClientRecord[]
  /**
   * Records that were sent and seen through to their end: requests the client abandoned (`load.cancel`) are neither
   * a success nor a failure of the SUT, and are left out (see `abandoned`).
   */
  sent: ClientRecord[]
  /** Records in scope the client abandoned before their answer was complete (`load.cancel`). */
  abandoned: ClientRecord[]
  /** Upstream attempts per request id, in arrival order. */
  attempts: AttemptLookup
  /** Sent requests in scope that reached an upstream, with their attempts (computed once, on first use). */
  attempted(): Array<{ id: string; attempts: JournalEntry[] }>
  /** Upstream attempts in scope (of requests in scope; unmatched ones by time). */
  journal: JournalEntry[]
  /** ms since load start of an epoch time. */
  runMs(epochMs: number): number
  /** The complete answer a request should get, or null when it has none (embeddings). */
  expectedText(record: ClientRecord): string | null
  timeline(id: string): TimelineStep[]
  /** What the client got for a request: its outcome, status and the first bytes of a failed body. */
  clientView(id: string): ClientView | null
}

/** What the client received, shown next to the upstream timeline in examples. */
export interface ClientView {
  outcome: string
  status: number | null
  /** The first bytes of an error or unreadable body, an in-band error, or the network error. */
  body: string | null
}

export function buildContext(data: RunData, phase: PhaseWindow | null, attempts?: AttemptLookup): GradeContext {
  const index = attempts ?? indexAttempts(data.journal)
  const start = data.meta.loadStartedAt
  const records = phase
    ? data.records.filter((r) => phaseOfRequest(r, index, data.meta.phases, start) === phase.name)
    : data.records
  // Only a phase's scope needs its ids (a set of a million strings otherwise).
  const ids = phase ? new Set(records.map((r) => r.id)) : undefined
  const inPhase = (e: JournalEntry) =>
    !phase ||
    ids?.has(e.requestId) ||
    (e.receivedAt - start >= phase.startMs && e.receivedAt - start < phase.endMs && !index.has(e.requestId))
  const expected = expectedTextFor(data.scenario)
  const sent = records.filter((r) => r.outcome !== 'not-sent' && r.outcome !== 'abandoned')
  const abandoned = records.filter((r) => r.outcome === 'abandoned')
  let attempted: Array<{ id: string; attempts: JournalEntry[] }> | undefined
  let byId: Map<string, ClientRecord> | undefined
  return {
    data,
    phase,
    records,
    sent,
    abandoned,
    attempts: index,
    attempted: () => {
      attempted ??= sent.flatMap((r) => {
        const list = index.get(r.id)
        return list && list.length > 0 ? [new Attempted(list)] : []
      })
      return attempted
    },
    journal: phase ? data.journal.filter(inPhase) : data.journal,
    runMs: (t) => t - start,
    expectedText: expected,
    timeline: (id) => {
      const steps: TimelineStep[] = []
      let prevEnd: number | null = null
      for (const e of index.get(id) ?? []) {
        const step: TimelineStep = {
          upstream: e.upstream,
          atMs: Math.round(e.receivedAt - start),
          status: e.status,
          fault: e.faults.length > 0 ? e.faults.join('+') : null,
          gapMs: prevEnd === null ? null : Math.round(e.receivedAt - prevEnd),
          endedBy: e.endedBy,
        }
        if (e.endedBy === 'open') step.openMs = Math.round(e.durationMs)
        if (e.prefill) step.prefill = true
        steps.push(step)
        // An open attempt never ended: what follows it is not a retry after it, so it has no gap.
        prevEnd = e.endedBy === 'open' ? null : e.receivedAt + e.durationMs
      }
      return steps
    },
    clientView: (id) => {
      byId ??= new Map(data.records.map((r) => [r.id, r]))
      const r = byId.get(id)
      if (!r) return null
      // An abandoned request failed at nothing: what the client did (gave up, when) is what there is to show.
      const body =
        r.outcome === 'abandoned'
          ? r.error
          : (r.bodyHead ?? (r.inBandError === null ? null : `in-band error: ${r.inBandError}`) ?? r.error)
      return { outcome: r.outcome, status: r.status, body: body ?? null }
    },
  }
}

/**
 * A request and its attempts, as small as it can be held: a lone attempt as itself (its list made when read), and its
 * id its first attempt's (the index's key), made when read.
 */
class Attempted {
  private readonly held: JournalEntry | JournalEntry[]

  constructor(list: JournalEntry[]) {
    this.held = list.length === 1 ? (list[0] as JournalEntry) : list
  }

  get attempts(): JournalEntry[] {
    return Array.isArray(this.held) ? this.held : [this.held]
  }

  get id(): string {
    return (Array.isArray(this.held) ? (this.held[0] as JournalEntry) : this.held).requestId
  }
}

/**
 * The phase a request is graded in: the one its first upstream attempt arrived in (the upstream's condition that
 * request met: `during` rules fire by arrival), else the one it was scheduled in. A request scheduled just before a
 * phase boundary that reaches the upstream after it — because brownout's own send was late on a busy machine, or
 * the gateway took its time — met the next phase's faults, and is judged there, not counted as a failure of the
 * phase before.
 */
export function phaseOfRequest(
  record: Pick<ClientRecord, 'id' | 'phase'>,
  index: Pick<AttemptLookup, 'get'>,
  phases: readonly PhaseWindow[],
  loadStartedAt: number,
): string {
  const first = index.get(record.id)?.[0]
  if (!first) return record.phase
  const t = first.receivedAt - loadStartedAt
  return phases.find((p) => t >= p.startMs && t < p.endMs)?.name ?? record.phase
}

export function indexAttempts(journal: readonly JournalEntry[]): AttemptIndex {
  return new AttemptIndex(journal)
}

/**
 * Whether an attempt carried the request: the upstream read a body it could serve. A retry that re-sent the
 * headers with an empty, cut-off or unreadable body (Caddy 2.6 re-sends a POST without its body) is a real
 * attempt, counted in load and routing, but not a retry of the request. Journals saved before the field: yes.
 */
export function carriedRequest(e: JournalEntry): boolean {
  return (e.requestBody ?? 'ok') === 'ok'
}

/** How an attempt failed, as grading counts it. */
export type AttemptFailure = 'fatal' | 'transient' | 'mid-stream'

/**
 * How an attempt failed, if it did, from the upstream's side. A faulted attempt is what its faults declared (the
 * journal's `effect`), once the SUT met its status line; the rest follow what the SUT saw: no status line at all is
 * transient (unless the SUT left an attempt no fault touched), a status by the settled lists (a 5xx with no fault is
 * transient, a 4xx fatal). An attempt still open when the run ended never answered: transient when no 2xx went out
 * (like a hang), mid-stream when a 2xx had started; a fatal answer already sent stays fatal.
 */
export function attemptFailure(e: JournalEntry): AttemptFailure | null {
  // Runs saved before the journal carried effects: their fault names, read as grading read them then.
  const effect = e.effect ?? legacyEffect(e)
  if (e.status === null) return e.endedBy !== 'client' || e.faults.length > 0 ? 'transient' : null
  const byStatus = FATAL_STATUSES.has(e.status) ? 'fatal' : TRANSIENT_STATUSES.has(e.status) ? 'transient' : null
  if (e.endedBy === 'open') {
    if (effect === 'fatal') return 'fatal'
    return byStatus ?? (e.status >= 200 && e.status < 300 ? 'mid-stream' : 'transient')
  }
  return effect === 'none' ? byStatus : effect
}

/** The client got exactly the complete answer (a summary that dropped it as expected says so). */
export function sameAsExpected(ctx: Pick<GradeContext, 'expectedText'>, r: ClientRecord): boolean {
  if (r.textIsExpected === true) return true
  return r.text !== null && r.text === ctx.expectedText(r)
}

/**
 * A success as the client saw it: a 2xx read to its end with no error inside. A stream that closed cleanly without
 * its terminal event ('broken-stream' with no error) counts as delivered, as it always did: most clients cannot tell
 * it from a complete one, and client.truncated_success judges its text. A stream cut by a reset does not.
 */
export function clientSuccess(r: ClientRecord): boolean {
  const readToEnd = r.outcome === 'ok' || (r.outcome === 'broken-stream' && r.error === null)
  return readToEnd && r.inBandError === null && r.bodyError === null
}
