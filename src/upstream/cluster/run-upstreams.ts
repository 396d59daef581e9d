import { type Clock, systemClock } from '../../clock.js'
import { FaultEngine } from '../../faults/rules.js'
import { type LagStats, NO_LAG } from '../../lag-stats.js'
import type { PhaseWindow } from '../../record/phase.js'
import { Journal } from '../journal.js'
import { UpstreamMetrics } from '../metrics.js'
import type { RunningUpstream } from '../server.js'
import type { ClusterHub } from './hub.js'
import type { UpstreamSetup } from './protocol.js'
import { type ClusterMember, startUpstreamCluster, type UpstreamCluster } from './start-cluster.js'

/** Ended attempts a worker keeps (its admin API's /journal); the run's journal is the primary's. */
const WORKER_JOURNAL = 1_000

/** A run's fault engine here: its `setStart` moves the primary's clock origin, which every arrival carries. */
class ClusterFaults extends FaultEngine {
  constructor(
    member: ClusterMember,
    options: { seed: number; clock: Clock; startedAt: number; phases: PhaseWindow[] },
    private readonly hub: ClusterHub,
  ) {
    super(member.config.faults, options)
  }

  override setStart(startedAt: number): void {
    super.setStart(startedAt)
    this.hub.startedAt = startedAt
  }
}

/** The upstreams' timing errors as one figure: the worst p99 and max, counts summed. */
function worst(all: LagStats[]): LagStats {
  return all.reduce(
    (w, t) => ({ count: w.count + t.count, p99Ms: Math.max(w.p99Ms, t.p99Ms), maxMs: Math.max(w.maxMs, t.maxMs) }),
    { ...NO_LAG },
  )
}

/**
 * One upstream of a clustered run as the run sees it (a RunningUpstream): its journal is fed here by the workers'
 * entries as they end; attempts that arrived before the last `reset` (the warm-up's) are left out; `settled` asks
 * every worker, then takes the attempts still open and the timing error from them.
 */
function runUpstream(
  member: ClusterMember,
  options: { seed: number; clock: Clock; phases: PhaseWindow[]; journalCapacity?: number },
  cluster: UpstreamCluster,
  close: () => Promise<void>,
): RunningUpstream {
  const { hub, config } = member
  const journal = new Journal(options.journalCapacity)
  const metrics = new UpstreamMetrics(member.name, { inFlight: () => 0, queued: () => 0 })
  let resetAfterSeq = 0
  hub.onEntry = (entry) => {
    if (entry.seq <= resetAfterSeq) return
    journal.record(entry)
    metrics.observe(entry)
  }
  const faults = new ClusterFaults(member, { ...options, startedAt: hub.startedAt }, hub)
  let timing: LagStats = { ...NO_LAG }
  return {
    name: member.name,
    url: member.url,
    host: config.host,
    port: member.port,
    config,
    journal,
    metrics,
    attempts: hub.local.attempts,
    faults,
    timingError: () => timing,
    settled: async (timeoutMs) => {
      const idle = await hub.everyWorker('idle', timeoutMs)
      const parts = await hub.everyWorker('journal', { query: {}, state: 'open' })
      for (const entry of parts.flatMap((p) => p.open))
        if (entry.seq > resetAfterSeq) journal.open(entry.seq, { snapshot: () => entry })
      timing = worst(await hub.everyWorker('timing', null))
      return idle.every(Boolean)
    },
    reset: async () => {
      resetAfterSeq = hub.lastSeq
      journal.clear()
      await hub.reset()
    },
    refuse: async () => {
      if (config.refuse_connections) await hub.everyWorker('refuse', null)
    },
    close: () => close(),
    crashed: cluster.died.catch((err: unknown) => (err instanceof Error ? err.message : String(err))),
  }
}

/**
 * Starts a run's upstreams in `workers` cluster workers (`run --upstream-workers N`): every worker serves every
 * upstream, the primary (this process) holds their shared state (one attempt counter across them) and their
 * journals. Closing any of them stops the workers.
 */
export async function startClusteredUpstreams(options: {
  workers: number
  upstreams: UpstreamSetup[]
  seed: number
  phases: PhaseWindow[]
  clock?: Clock
  /** Most entries held by the run's journal of each upstream. */
  journalCapacity?: number
}): Promise<RunningUpstream[]> {
  const clock = options.clock ?? systemClock
  // The journal is held here: a worker's own only needs the attempts still open, and a little history for /journal.
  const cluster = await startUpstreamCluster({
    ...options,
    clock,
    stream: true,
    deferRefusal: true,
    journalCapacity: WORKER_JOURNAL,
  })
  let stopped: Promise<void> | undefined
  const close = () => {
    stopped ??= cluster.stop()
    return stopped
  }
  return cluster.members.map((member) =>
    runUpstream(
      member,
      {
        seed: options.seed,
        clock,
        phases: options.phases,
        ...(options.journalCapacity ? { journalCapacity: options.journalCapacity } : {}),
      },
      cluster,
      close,
    ),
  )
}
