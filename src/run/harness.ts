import { type LagStats, lagStatsOf } from '../lag-stats.js'
import type { ClientRecord } from '../load/record.js'
import type { JournalEntry } from '../upstream/journal.js'
import type { EventLoopLag } from './harness-monitor.js'

/** The most brownout's own lag may reach before it could change a verdict (ms); see `harnessBoundMs`. */
export const HARNESS_BOUND_MS = 100

/** A stall of the event loop this many times the bound fails the run on its own, even if rare (see the docs). */
export const STALL_FACTOR = 5

/** Client mode: the processes run at once and how long each took to start and to reach an upstream. */
export interface ClientProcessLag {
  /** Most client processes run at once (`max_processes`). */
  cap: number
  /** Most that did run at once. */
  peak: number
  /** Intended send → the process started (includes waiting for a free slot under the cap). */
  startLag: LagStats
  /** The process started → its first upstream attempt arrived (the program's own start-up). */
  firstAttemptLag: LagStats
}

/** brownout's own measurements of itself during a run, and whether they limit what the run can prove. */
export interface HarnessMeta {
  /** The bound (ms) on brownout's own lag above which the run is harness-limited. */
  boundMs: number
  eventLoop: EventLoopLag
  /** Intended send → actually sent (the driver's send lag). */
  sendLag: LagStats
  /** How late the upstreams' scheduled writes (tokens, delays) went out. */
  upstreamTimingError: LagStats
  clientProcesses: ClientProcessLag | null
  /** The unmeasured warm-up before the load, or null when there was none. */
  warmup: { requests: number; durationMs: number; url: string } | null
  /** brownout could not keep up: the SUT's checks are reported but not a verdict on it. */
  limited: boolean
  /** Each measured lag past the bound, in words. */
  reasons: string[]
}

/**
 * The bound on brownout's own lag for a run: 100 ms, or a tenth of the client timeout when that is shorter. 100 ms
 * is a tenth of the shortest deliberate timing the catalogue grades (Retry-After 1 s, backoffs of 0.5–1 s, a
 * 10 s client timeout), and ten times the event-loop p99 of an ordinary catalogue run on a busy 2-core machine.
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
  const over = (what: string, stats: LagStats) => {
    if (stats.p99Ms > boundMs) reasons.push(`${what} p99 ${fmt(stats.p99Ms)} (max ${fmt(stats.maxMs)})`)
  }
  over('event-loop delay', input.eventLoop)
  over('send lag', sendLag)
  if (clientProcesses) over('client process start lag', clientProcesses.startLag)
  over('upstream timing error', input.upstreamTimingError)
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
    startLag: lagStatsOf(started.map((r) => (r.processStartMs ?? 0) - r.intendedAt)),
    firstAttemptLag: lagStatsOf(firstAttempt),
  }
}

/** The one-paragraph message of a harness-limited run: what lagged, and what to do about it. */
export function harnessMessage(h: HarnessMeta): string {
  const clientHint = h.clientProcesses
    ? `, fewer client processes (max_processes, now ${h.clientProcesses.cap}) or a client that starts faster`
    : ''
  return (
    `harness-limited: brownout could not keep up (${h.reasons.join('; ')}; bound ${fmt(h.boundMs)}), so the ` +
    `SUT's checks below are not a verdict on it. Lower the rate${clientHint}, give brownout more cores, or run ` +
    `the SUT on another machine.`
  )
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`
}
