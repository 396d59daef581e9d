import type { MetricObjectWithValues, MetricValue } from 'prom-client'
import type { Rule } from '../../faults/rules.js'
import type { LagStats } from '../../lag-stats.js'
import type { PhaseWindow } from '../../record/phase.js'
import type { Admission } from '../capacity.js'
import type { UpstreamConfigInput } from '../config.js'
import type { JournalEntry, JournalQuery } from '../journal.js'
import type { Arrival, JournalState, LimitsSnapshot, Ticket } from '../shared-state.js'

/**
 * The messages between a `serve --workers` primary and its workers over Node's cluster IPC, as JSON (plain data
 * whose undefined fields may be dropped; for these small messages it measured as fast as or faster than
 * 'advanced'). A call carries an id and gets one reply with that id; a note gets none.
 */

/** A journal's counts, as the admin API reports them (summed over the workers). */
export interface JournalCounts {
  size: number
  total: number
  dropped: number
  open: number
}

/** What a worker asks the primary, which holds the upstream's shared state: [params, reply]. */
export type PrimaryCalls = {
  arrive: [Arrival, Ticket]
  limits: [null, LimitsSnapshot]
  /** `wait`: the worker's number for this wait, which a `cancel` note names. */
  acquire: [{ wait: number }, Admission]
  replaceRules: [Rule[], null]
  journal: [{ query: JournalQuery; state: JournalState }, JournalEntry[]]
  counts: [null, JournalCounts]
  metrics: [null, string]
  reset: [null, null]
}

/** What the primary asks every worker: [params, reply]. */
export type WorkerCalls = {
  rules: [Rule[], null]
  reset: [null, null]
  journal: [{ query: JournalQuery; state: JournalState }, { ended: JournalEntry[]; open: JournalEntry[] }]
  counts: [null, JournalCounts]
  metrics: [null, Array<MetricObjectWithValues<MetricValue<string>>>]
  /** Whether every exchange in flight ended within the timeout (ms), as `RunningUpstream.settled`. */
  idle: [number, boolean]
  timing: [null, LagStats]
  /** A `refuse_connections` upstream stops listening. */
  refuse: [null, null]
}

/** A call's params and reply types, by method: the table a side answers or asks. */
export type CallTable = Record<string, [unknown, unknown]>

export type Call<T extends CallTable> = {
  [M in keyof T & string]: { kind: 'call'; id: number; method: M; params: T[M][0] }
}[keyof T & string]

export type Reply = { kind: 'reply'; id: number; value: unknown } | { kind: 'reply'; id: number; error: string }

/** One upstream a worker serves: its name and block (as `startUpstream` takes it). */
export interface UpstreamSetup {
  name: string
  options: UpstreamConfigInput
}

/** Everything a worker needs to serve, as the primary computed it (sent in the worker's environment at fork). */
export interface WorkerSetup {
  /** 1-based, as cluster numbers workers. */
  index: number
  /** Started in this order by every worker, so the nth `listen` on port 0 shares the nth port. */
  upstreams: UpstreamSetup[]
  seed: number
  /** The primary's clock origin for `during` windows: one for every worker (arrivals learn of later moves). */
  startedAt: number
  phases: PhaseWindow[]
  /** Send every journal entry to the primary as it is recorded (a run's journal is the primary's). */
  stream: boolean
  /** A `refuse_connections` upstream keeps its port until the primary says `refuse` (as a run's upstreams do). */
  deferRefusal: boolean
  journalCapacity?: number
}

/** The environment variable that carries a worker's setup (JSON). */
export const SETUP_ENV = 'BROWNOUT_CLUSTER_WORKER'

/** A worker's error, as plain data (its BrownoutError's code, message, hint and problems). */
export interface WorkerFailure {
  code: string
  message: string
  hint: string | undefined
  problems: string[]
}

/** Messages without a reply (about one upstream). */
export type Note =
  /** An attempt ended at the worker (only with `stream`). */
  | { kind: 'entry'; entry: JournalEntry }
  /** A worker's admitted request ended: its slot goes back. */
  | { kind: 'release' }
  /** The client of a waiting `acquire` left: the wait numbered `wait` stops. */
  | { kind: 'cancel'; wait: number }

export type Message<T extends CallTable> = Call<T> | Reply | Note

/** What goes over a worker's IPC channel: a batch about one upstream, or the worker's start (or failure to). */
export type Envelope =
  | { upstream: string; batch: Array<Message<PrimaryCalls> | Message<WorkerCalls>> }
  | { kind: 'ready'; upstreams: Array<{ name: string; url: string; port: number }> }
  | { kind: 'failed'; error: WorkerFailure }
