import { type LagStats, lagStatsOf } from '../lag-stats.js'
import type { ClientRecord } from '../load/record.js'
import { type ClientProcessLag, fmtMs as fmt, type HarnessMeta } from '../record/harness.js'
import type { JournalEntry } from '../upstream/journal.js'
import type { EventLoopLag } from './harness-monitor.js'

/** The most brownout's own lag may reach before it could change a verdict (ms); see `harnessBoundMs`. */
export const HARNESS_BOUND_MS = 250

/** A stall of the event loop this many times the bound (1 s) limits the run on its own, even if it is rare. */
export const STALL_FACTOR = 4

/**
 * The bound on brownout's own lag for a run: 250 ms, or a tenth of the client timeout when that is shorter. 250 ms
 * is a quarter of the shortest deliberate timing the catalogue grades (a 1 s Retry-After; the wrong policies the
 * checks must reject differ from the right one by ≥ 0.5 s), and above the lag of ordinary catalogue runs on a
 * shared, oversubscribed 2-core machine (send lag and event-loop p99 up to ~230 ms measured in `--fast` runs).
 */
export function harnessBoundMs(clientTimeoutMs: number): number {
  return Math.min(HARNESS_BOUND_MS, Math.max(1, clientTimeoutMs / 10))
}

export interface HarnessInput {
  clientTimeoutMs: number
  eventLoop: EventLoopLag
  records: ClientRecord[]
  journal: JournalEntry[]
  /** Epoch ms of the load's start: records count from it, the journal does not. */
  loadStartedAt: number
  upstreamTimingError: LagStats
  /** Client mode's process cap and peak, or null for HTTP load. */
  processes: { cap: number; peak: number } | null
  warmup: HarnessMeta['warmup']
}

/** Summarises brownout's own lag over a run and decides whether the run is harness-limited. Pure. */
export function assessHarness(input: HarnessInput): HarnessMeta {
  const boundMs = harnessBoundMs(input.clientTimeoutMs)
  const sent = input.records.filter((r) => r.outcome !== 'not-sent')
  const sendLag = lagStatsOf(sent.map((r) => r.sendLagMs))
  const clientProcesses = input.processes ? processLag(input, sent) : null
  const reasons: string[] = []
  // A lag past the bound counts when it is not a single event: at p99, and on more than one request or sample.
  const over = (what: string, stats: LagStats, late: number) => {
    if (stats.p99Ms > boundMs && late > 1) reasons.push(`${what} p99 ${fmt(stats.p99Ms)} (max ${fmt(stats.maxMs)})`)
  }
  const lateOf = (lags: number[]) => lags.filter((ms) => ms > boundMs).length
  over('event-loop delay', input.eventLoop, 2)
  over('send lag', sendLag, lateOf(sent.map((r) => r.sendLagMs)))
  if (clientProcesses)
    over('client process start lag', clientProcesses.startLag, lateOf(sent.map((r) => startLagOf(r) ?? 0)))
  over('upstream timing error', input.upstreamTimingError, 2)
  if (input.eventLoop.p99Ms <= boundMs && input.eventLoop.maxMs > boundMs * STALL_FACTOR)
    reasons.push(`the event loop stalled for ${fmt(input.eventLoop.maxMs)}`)
  return {
    boundMs,
    eventLoop: input.eventLoop,
    sendLag,
    upstreamTimingError: input.upstreamTimingError,
    clientProcesses,
    warmup: input.warmup,
    limited: reasons.length > 0,
    reasons,
  }
}

function processLag(input: HarnessInput, sent: ClientRecord[]): ClientProcessLag {
  const firstArrival = new Map<string, number>()
  for (const e of input.journal) {
    const at = e.receivedAt - input.loadStartedAt
    const seen = firstArrival.get(e.requestId)
    if (seen === undefined || at < seen) firstArrival.set(e.requestId, at)
  }
  const started = sent.filter((r) => r.processStartMs !== undefined)
  const firstAttempt: number[] = []
  for (const r of started) {
    const at = firstArrival.get(r.id)
    if (at !== undefined) firstAttempt.push(Math.max(0, at - (r.processStartMs ?? 0)))
  }
  return {
    cap: input.processes?.cap ?? 0,
    peak: input.processes?.peak ?? 0,
    startLag: lagStatsOf(started.map((r) => startLagOf(r) ?? 0)),
    firstAttemptLag: lagStatsOf(firstAttempt),
  }
}

/** Client mode: intended send → the client's process started (ms), or undefined when it never started. */
function startLagOf(r: ClientRecord): number | undefined {
  return r.processStartMs === undefined ? undefined : r.processStartMs - r.intendedAt
}
