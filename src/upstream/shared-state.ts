import type { Registry } from 'prom-client'
import type { Clock } from '../clock.js'
import type { Rule } from '../faults/rules.js'
import { type Admission, Capacity, type CapacityConfig } from './capacity.js'
import { AttemptCounter } from './correlation.js'
import type { Journal, JournalEntry, JournalQuery } from './journal.js'
import { type LimitSnapshot, type LimitsConfig, RateLimiter } from './limits.js'

/** The RPM and TPM buckets' levels (what the rate-limit headers say). */
export interface LimitsSnapshot {
  requests: LimitSnapshot
  tokens: LimitSnapshot
}

/** A request the RPM/TPM buckets refused: which bucket, how full it was, how long until this request fits. */
export interface RateRefusal {
  kind: 'requests' | 'tokens'
  limit: number
  used: number
  retryAfterMs: number
}

/** What an attempt tells the shared state when it arrives. */
export interface Arrival {
  /** The logical request id; undefined when the attempt carries none (each such attempt is its own request). */
  requestId: string | undefined
  /** Whether the attempt asks for generation, so the RPM/TPM buckets are charged (or refuse it). */
  generates: boolean
  /** Tokens it costs: prompt estimate + requested output. */
  tokenCost: number
}

/** What the shared state answers at arrival, in one round trip. */
export interface Ticket {
  /** Order of arrival at this upstream, from 1 (the journal's `seq`; `every` rules count it). */
  seq: number
  /** The request id: the one given, or one generated for an attempt that carried none. */
  requestId: string
  /** Attempts of this id across every upstream sharing the counter (1 = first); 1 for a generated id. */
  attempt: number
  /** Attempts of this id at this upstream. */
  upstreamAttempt: number
  /** The buckets' refusal, when they refused this attempt (only for one that generates). */
  refused: RateRefusal | undefined
  /** The buckets' levels once this attempt was charged. */
  limits: LimitsSnapshot
  /**
   * The clock origin of `during` windows (ms since epoch) when another process holds it (a cluster's primary, which
   * a run moves when its load starts); absent from a LocalState's own tickets.
   */
  startedAt?: number
}

/** The overload model's slots and queue (totals across whatever serves the upstream). */
export interface CapacityGate {
  /** Takes a slot, waiting in the queue when all are busy; `signal` aborts the wait when the client leaves. */
  acquire(signal?: AbortSignal): Promise<Admission>
  /** Gives back a slot taken by an admitted `acquire`. */
  release(): void
  /** Slots in use and attempts waiting, as last known here (for /state and metrics). */
  readonly active: number
  readonly queued: number
}

/** Which attempts a journal read returns: those that ended (the default), those still open, or both. */
export type JournalState = 'ended' | 'open' | 'all'

/** The upstream's journal as the admin API serves it: every process's attempts, in `seq` order within each state. */
export interface JournalView {
  entries(query: JournalQuery, state: JournalState): Promise<JournalEntry[]>
  counts(): Promise<{ size: number; total: number; dropped: number; open: number }>
}

/** The journal of this process alone: all of it when one process serves the upstream. */
export function localJournalView(journal: Journal): JournalView {
  return {
    entries: (query, state) =>
      Promise.resolve([
        ...(state === 'open' ? [] : journal.list(query)),
        ...(state === 'ended' ? [] : journal.openEntries(query)),
      ]),
    counts: () =>
      Promise.resolve({ size: journal.size, total: journal.total, dropped: journal.dropped, open: journal.openCount }),
  }
}

/**
 * What the attempts of one upstream share wherever they are served: one process (the default), the workers of
 * `serve --workers` (the primary holds it), or replicas on many machines (Redis). Every decision that depends on
 * other attempts goes through here: the arrival order, attempt counting per request id (shared across a run's
 * upstreams), the RPM/TPM buckets, the overload model's slots, the fault rules in force and the clock origin their
 * `during` windows count from. Everything else about an attempt is decided from the attempt alone (seeded per
 * request id and attempt), so the same arrivals get the same faults however they are spread.
 */
export interface SharedState {
  arrive(arrival: Arrival): Promise<Ticket>
  /** The same as `arrive` without the promise, when the state answers in this process (no round trip to wait for). */
  arriveNow?(arrival: Arrival): Ticket
  /** The buckets' levels now (for /state). */
  limits(): Promise<LimitsSnapshot>
  capacity: CapacityGate | undefined
  /** The fault rules now in force; `replace` reaches every process serving the upstream before it resolves. */
  rules(): Rule[]
  replaceRules(rules: readonly Rule[]): Promise<void>
  /** Called when the rules change (here or elsewhere). */
  onRules(listener: (rules: readonly Rule[]) => void): void
  /** The journal across every process serving the upstream, given this process's own. */
  journal(local: Journal): JournalView
  /**
   * The Prometheus text of every process serving the upstream, given this process's registry; absent when this
   * process's own metrics are the whole story.
   */
  metrics?(local: Registry): Promise<string>
  /** Forgets counters and buckets (the journal is the caller's), everywhere. */
  reset(): Promise<void>
  /** Stops whatever the state holds open (connections, subscriptions). */
  close(): Promise<void>
  /**
   * Called with the clock origin `during` windows count from, when the state holds one shared by every process
   * (replicas on many machines): at once, and again when a reset moves it elsewhere (before the arrival it came with
   * is decided). Absent: the process's own start.
   */
  onStart?(listener: (startedAt: number) => void): void
}

/** What an upstream gives the state it shares when it starts. */
export interface SharedStateInit {
  name: string
  clock: Clock
  limits: LimitsConfig
  capacity: CapacityConfig | undefined
  rules: readonly Rule[]
  /** This process's idea of the run's start (ms since epoch); a shared state may answer with another's. */
  startedAt: number
  /** Most ended journal entries kept (the upstream's journal capacity). */
  journalCapacity: number
  /** One counter shared by the upstreams of a run in this process (in-process state only). */
  attempts?: AttemptCounter
}

/** Builds (and connects) the shared state of one upstream; rejects with a BrownoutError when it cannot. */
export type SharedStateFactory = (init: SharedStateInit) => Promise<SharedState>

/** The default: everything in this process, no external service. */
export const localState: SharedStateFactory = (init) =>
  Promise.resolve(
    new LocalState({
      name: init.name,
      clock: init.clock,
      limits: init.limits,
      capacity: init.capacity ? new Capacity(init.capacity, () => init.clock.now()) : undefined,
      rules: init.rules,
      ...(init.attempts ? { attempts: init.attempts } : {}),
    }),
  )

export interface LocalStateOptions {
  name: string
  clock: Clock
  limits: LimitsConfig
  capacity: Capacity | undefined
  rules: readonly Rule[]
  /** One counter shared by the upstreams of a run: a failover is attempt 2 of the same request. */
  attempts?: AttemptCounter
}

/** The shared state of one upstream in this process: plain counters, buckets and a FIFO queue. */
export class LocalState implements SharedState {
  readonly limiter: RateLimiter
  readonly attempts: AttemptCounter
  private readonly local = new AttemptCounter()
  private seq = 0
  private anonymous = 0
  private current: Rule[]
  private readonly listeners: Array<(rules: readonly Rule[]) => void> = []
  readonly capacity: CapacityGate | undefined

  constructor(private readonly options: LocalStateOptions) {
    this.limiter = new RateLimiter(options.limits, options.clock)
    this.attempts = options.attempts ?? new AttemptCounter()
    this.capacity = options.capacity
    this.current = [...options.rules]
  }

  /** The same as `arrive`, without the promise: for callers in this process that cannot wait. */
  arriveNow(arrival: Arrival): Ticket {
    const known = arrival.requestId !== undefined
    const requestId = arrival.requestId ?? `anon-${this.options.name}-${++this.anonymous}`
    // Attempts without an id are each their own logical request: counting them would only grow memory.
    const attempt = known ? this.attempts.next(requestId) : 1
    const upstreamAttempt = known ? this.local.next(requestId) : 1
    const refused = arrival.generates ? this.charge(arrival.tokenCost) : undefined
    return { seq: ++this.seq, requestId, attempt, upstreamAttempt, refused, limits: this.limiter.snapshot() }
  }

  arrive(arrival: Arrival): Promise<Ticket> {
    return Promise.resolve(this.arriveNow(arrival))
  }

  private charge(tokens: number): RateRefusal | undefined {
    const admission = this.limiter.admit(tokens)
    if (admission.ok) return undefined
    const kind = admission.kind ?? 'requests'
    const bucket = kind === 'requests' ? this.limiter.requests : this.limiter.tokens
    return {
      kind,
      limit: bucket.limit,
      used: bucket.limit - bucket.remaining(),
      retryAfterMs: admission.retryAfterMs ?? 1000,
    }
  }

  limits(): Promise<LimitsSnapshot> {
    return Promise.resolve(this.limiter.snapshot())
  }

  rules(): Rule[] {
    return [...this.current]
  }

  replaceRules(rules: readonly Rule[]): Promise<void> {
    this.current = [...rules]
    for (const listener of this.listeners) listener(this.current)
    return Promise.resolve()
  }

  onRules(listener: (rules: readonly Rule[]) => void): void {
    this.listeners.push(listener)
  }

  journal(local: Journal): JournalView {
    return localJournalView(local)
  }

  reset(): Promise<void> {
    this.attempts.clear()
    this.local.clear()
    this.limiter.reset()
    return Promise.resolve()
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
