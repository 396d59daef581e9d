import { Agent } from 'undici'
import type { Clock } from '../clock.js'
import { dialectOf } from '../dialects/registry.js'
import type { PhaseWindow } from '../record/phase.js'
import { hash32, rngFor } from '../rng.js'
import type { LoadSpec, RequestTemplate } from '../scenario/schema.js'
import type { ClientRecord } from './record.js'
import { type BuiltRequest, buildRequest, type RequestMapping } from './request.js'
import { type Segment, segmentOf } from './segment.js'
import { type CancelPlan, DeadlineLag, emptyRecord, type RecordBase, type SendContext, sendOne } from './send.js'

export interface DriverOptions {
  load: LoadSpec
  seed: number
  runId: string
  phases: PhaseWindow[]
  durationMs: number
  /** Base URL for a request (the SUT's, or an upstream's with --direct). */
  baseUrl: (template: RequestTemplate) => string
  mapping: RequestMapping
  clock: Clock
  onRecord: (record: ClientRecord) => void
  /** How one request is carried out; default: an HTTP request. Client mode runs a program instead. */
  execute?: Executor
  /** The connection pool to send through (see `loadDispatcher`; a warm-up may have opened its connections). */
  dispatcher?: Agent
  /** Send only this execution segment of the arrival schedule (open model only). */
  segment?: Segment
}

/** Carries out one logical request and returns its record (never throws). */
export type Executor = (
  ctx: SendContext,
  base: RecordBase,
  template: RequestTemplate,
  url: string,
  built: BuiltRequest,
) => Promise<ClientRecord>

export interface LoadStats {
  sent: number
  inFlight: number
  notSent: number
  byStatus: Record<string, number>
  /** Client deadlines that passed, and how late brownout's own loop ran them: a signal of a harness that lagged. */
  deadlines: DeadlineLag
}

/** A running load: live stats, a stop switch, and a promise that settles when every request has ended. */
export interface RunningLoad {
  stats: LoadStats
  startMs: number
  stop(): void
  done: Promise<void>
}

/**
 * The load's connection pool. A bounded pool per origin, as real clients have: past it requests queue (their
 * latency still counts from the intended send time) instead of opening thousands of sockets, which collapses
 * throughput under overload. The load destroys it when it is done.
 */
export function loadDispatcher(load: LoadSpec): Agent {
  return new Agent({ connections: load.max_connections, keepAliveTimeout: 10_000, connect: { timeout: load.timeout } })
}

/** The logical request id of the nth request of a run. */
export function requestId(runId: string, n: number): string {
  return `${requestIdPrefix(runId)}${n}`
}

/** What every request id of a run starts with: the id is it and the request's number. */
export function requestIdPrefix(runId: string): string {
  return `brn-${runId}-`
}

/** A deterministic run id from the scenario name and seed, so the same seed gives the same ids and content. */
export function runIdFor(name: string, seed: number): string {
  return hash32(`${name}\u0000${seed}`).toString(36)
}

/** The request template of the nth request: the base merged with a weighted pick from the mix. */
export function templateFor(load: LoadSpec, seed: number, n: number): RequestTemplate {
  if (!load.mix) return load.request
  const total = load.mix.reduce((s, m) => s + m.weight, 0)
  let pick = rngFor(seed, 'mix', n)() * total
  const chosen =
    load.mix.find((m) => {
      pick -= m.weight
      return pick < 0
    }) ?? load.mix[load.mix.length - 1]
  if (!chosen) return load.request
  let merged = mixed.get(chosen)
  if (!merged) {
    const { weight: _weight, ...entry } = chosen
    merged = { ...load.request }
    for (const [key, value] of Object.entries(entry))
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value
    mixed.set(chosen, merged)
  }
  return merged
}

/**
 * Whether the nth request is one the client abandons (`load.cancel`), and when. The share is spread evenly — one
 * request in every 1/share, from an offset drawn from the seed — so that any stretch of the run, however short
 * (`--fast`), abandons its share (±1) and keeps some requests whole; a draw per request could abandon all or none.
 */
export function cancelPlan(load: LoadSpec, seed: number, n: number): CancelPlan | undefined {
  const cancel = load.cancel
  if (!cancel) return undefined
  const offset = rngFor(seed, 'cancel')() / cancel.share
  if (Math.floor((n + offset) * cancel.share) === Math.floor((n - 1 + offset) * cancel.share)) return undefined
  const plan: CancelPlan = {}
  if (cancel.after !== undefined) plan.afterMs = cancel.after
  if (cancel.after_chunks !== undefined) plan.afterChunks = cancel.after_chunks
  return plan
}

/** The merged template of each mix entry, made once: one object per entry keeps per-template work cached. */
const mixed = new WeakMap<object, RequestTemplate>()

function phaseAt(phases: PhaseWindow[], t: number): string {
  return phases.find((p) => t >= p.startMs && t < p.endMs)?.name ?? phases[phases.length - 1]?.name ?? 'run'
}

/**
 * Drives load: an open model from a precomputed arrival schedule (latency measured from each intended send time;
 * requests due while `max_in_flight` are outstanding are recorded as not sent), or a closed model of
 * `concurrency` clients in a loop.
 */
export function startLoad(opts: DriverOptions, schedule: number[] | undefined): RunningLoad {
  const { load, clock } = opts
  const dispatcher = opts.dispatcher ?? loadDispatcher(load)
  const stopper = new AbortController()
  const stats: LoadStats = { sent: 0, inFlight: 0, notSent: 0, byStatus: {}, deadlines: new DeadlineLag() }
  const startMs = clock.now()
  const ctx = { dispatcher, clock, startMs, timeoutMs: load.timeout, signal: stopper.signal, lag: stats.deadlines }
  // Requests in flight are counted, not collected: when the loop has ended and the count is back to zero, done.
  let inFlight = 0
  let drained: (() => void) | undefined
  let n = 0

  // `index`: the request's number in the whole plan (a segment sends some of them); the closed model counts.
  const fire = (intendedAt: number, index = n++): Promise<void> | undefined => {
    const template = templateFor(load, opts.seed, index)
    const id = requestId(opts.runId, index)
    const base = {
      id,
      n: index,
      api: template.api,
      model: template.model,
      stream: template.stream && dialectOf(template.api).client.streams,
      maxTokens: template.max_tokens ?? null,
      phase: phaseAt(opts.phases, intendedAt),
      intendedAt,
    }
    if (stats.inFlight >= load.max_in_flight) {
      stats.notSent++
      opts.onRecord(notSent(base, clock.now() - startMs))
      return undefined
    }
    const built = buildRequest(template, id, opts.mapping)
    stats.sent++
    stats.inFlight++
    inFlight++
    const cancel = cancelPlan(load, opts.seed, index)
    return (opts.execute ?? sendOne)(
      cancel ? { ...ctx, cancel } : ctx,
      base,
      template,
      `${opts.baseUrl(template)}${built.path}`,
      built,
    )
      .then((record) => {
        stats.inFlight--
        const key = record.status === null ? record.outcome : String(record.status)
        stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1
        opts.onRecord(record)
      })
      .finally(() => {
        if (--inFlight === 0) drained?.()
      })
  }

  const picked = schedule && opts.segment ? segmentOf(schedule, opts.segment) : undefined
  const loop = schedule
    ? openLoop(
        picked?.times ?? schedule,
        picked ? (at, i) => fire(at, picked.numbers[i] ?? i) : fire,
        clock,
        startMs,
        stopper.signal,
      )
    : closedLoop(load.concurrency ?? 1, fire, clock, startMs, stopper.signal, (at) =>
        // With `load.requests` the count ends the loop, not the phases' duration.
        load.requests !== undefined ? n >= load.requests : at >= opts.durationMs,
      )
  const done = loop
    .then(async () => {
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve))
    })
    .finally(() => dispatcher.destroy().catch(() => undefined))
  return { stats, startMs, stop: () => stopper.abort(), done }
}

function openLoop(
  schedule: number[],
  fire: (at: number, i: number) => unknown,
  clock: Clock,
  startMs: number,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    let i = 0
    let timer: NodeJS.Timeout | undefined
    const onStop = () => {
      if (timer) clearTimeout(timer)
      resolve()
    }
    signal.addEventListener('abort', onStop, { once: true })
    const tick = () => {
      const now = clock.now() - startMs
      while (i < schedule.length && (schedule[i] ?? 0) <= now + 0.5) {
        fire(schedule[i] ?? now, i)
        i++
      }
      if (i >= schedule.length) {
        signal.removeEventListener('abort', onStop)
        resolve()
        return
      }
      timer = setTimeout(tick, Math.max(0, (schedule[i] ?? 0) - (clock.now() - startMs)))
    }
    tick()
  })
}

async function closedLoop(
  concurrency: number,
  fire: (at: number) => Promise<void> | undefined,
  clock: Clock,
  startMs: number,
  signal: AbortSignal,
  finished: (at: number) => boolean,
): Promise<void> {
  const worker = async () => {
    while (!signal.aborted) {
      const at = clock.now() - startMs
      if (finished(at)) return
      await fire(at)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

function notSent(base: RecordBase, nowMs: number): ClientRecord {
  return { ...emptyRecord(base, nowMs - base.intendedAt), outcome: 'not-sent', error: 'max_in_flight reached' }
}
