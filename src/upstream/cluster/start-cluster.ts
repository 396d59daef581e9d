import cluster, { type Worker } from 'node:cluster'
import { type Clock, systemClock } from '../../clock.js'
import { BrownoutError, type ErrorCode } from '../../errors.js'
import type { PhaseWindow } from '../../record/phase.js'
import { workerModule } from '../../worker-module.js'
import { Capacity } from '../capacity.js'
import type { UpstreamConfig, UpstreamConfigInput } from '../config.js'
import { AttemptCounter } from '../correlation.js'
import { parseUpstreamOptions } from '../server.js'
import { LocalState } from '../shared-state.js'
import { ClusterHub } from './hub.js'
import {
  type Envelope,
  type Message,
  type PrimaryCalls,
  SETUP_ENV,
  type UpstreamSetup,
  type WorkerFailure,
  type WorkerSetup,
} from './protocol.js'

/** A worker that has not started serving by then is not coming. */
const READY_TIMEOUT_MS = 30_000
/** How long a worker gets to close after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 5_000

export interface ClusterOptions {
  workers: number
  /** The upstreams every worker serves, each as `startUpstream` takes its block (host, port, faults, …). */
  upstreams: UpstreamSetup[]
  seed: number
  phases?: PhaseWindow[]
  clock?: Clock
  /** Workers send every journal entry as it is recorded (to `hub.onEntry`): a run's journal is the primary's. */
  stream?: boolean
  /** `refuse_connections` upstreams keep their ports until `hub.everyWorker('refuse')`. */
  deferRefusal?: boolean
  journalCapacity?: number
}

/** One upstream of a cluster, as the primary holds it. */
export interface ClusterMember {
  name: string
  url: string
  port: number
  config: UpstreamConfig
  hub: ClusterHub
}

export interface UpstreamCluster {
  members: ClusterMember[]
  /** The workers' process ids, in fork order. */
  pids: number[]
  /** Rejects when a worker dies while the cluster serves (it has then stopped the others). */
  died: Promise<never>
  /** Stops every worker (SIGTERM, then SIGKILL after 5 s) and resolves once all have exited. */
  stop(): Promise<void>
}

/** `--workers`: a whole number from 1, or `auto` (one per core). */
export function clusterSize(value: string | number, cores: number): number {
  if (value === 'auto') return Math.max(1, cores)
  const n = Number(value)
  if (Number.isInteger(n) && n >= 1 && n <= 256) return n
  throw new BrownoutError('INVALID_USAGE', `--workers ${value}: expected a whole number from 1 to 256, or auto`, {
    hint: 'auto serves with one worker per core (os.availableParallelism())',
  })
}

function exitReason(worker: Worker, code: number | null, signal: string | null): string {
  return `worker ${worker.id} (pid ${worker.process.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`
}

/** Stops the workers by pid: SIGTERM, then SIGKILL for any still alive after the grace period. */
async function stopWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      if (worker.isDead()) return
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
      worker.process.kill('SIGTERM')
      const timer = setTimeout(() => worker.process.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }),
  )
}

/** The primary's side of each upstream: its LocalState (one attempt counter for all) and capacity, in a hub. */
function hubs(
  options: ClusterOptions,
  clock: Clock,
  startedAt: number,
): Array<{ config: UpstreamConfig; hub: ClusterHub }> {
  const attempts = new AttemptCounter()
  const phases = options.phases ?? []
  return options.upstreams.map(({ name, options: block }) => {
    const config = parseUpstreamOptions({ ...block, name, phases })
    const capacity = config.capacity ? new Capacity(config.capacity, () => clock.now()) : undefined
    const local = new LocalState({ name, clock, limits: config.limits, capacity, rules: config.faults, attempts })
    return { config, hub: new ClusterHub(local, capacity, startedAt) }
  })
}

/**
 * Serves upstreams from `workers` processes, each upstream on one port all workers share (Node's cluster: the
 * primary, this process, holds the listening sockets and hands connections round-robin). The primary holds the
 * shared state; each worker asks it at every arrival. Resolves once every worker serves; rejects (with every worker
 * stopped) if one cannot.
 */
export async function startUpstreamCluster(options: ClusterOptions): Promise<UpstreamCluster> {
  const clock = options.clock ?? systemClock
  const startedAt = clock.now()
  const held = hubs(options, clock, startedAt)
  const byName = new Map(options.upstreams.map((u, i) => [u.name, held[i]?.hub as ClusterHub]))
  const { path, execArgv } = workerModule(import.meta.url, 'worker')
  cluster.setupPrimary({ exec: path, args: [], execArgv, serialization: 'json' })
  const setup: Omit<WorkerSetup, 'index'> = {
    upstreams: options.upstreams,
    seed: options.seed,
    startedAt,
    phases: options.phases ?? [],
    stream: options.stream ?? false,
    deferRefusal: options.deferRefusal ?? false,
    ...(options.journalCapacity ? { journalCapacity: options.journalCapacity } : {}),
  }
  const workers: Worker[] = []
  let stopping = false
  let onDeath: (err: BrownoutError) => void = () => undefined
  const died = new Promise<never>((_, reject) => (onDeath = reject))
  died.catch(() => undefined)
  const readies = Array.from({ length: options.workers }, (_, i) => {
    const worker = cluster.fork({ [SETUP_ENV]: JSON.stringify({ ...setup, index: i + 1 } satisfies WorkerSetup) })
    workers.push(worker)
    const links = new Map(
      [...byName].map(([name, hub]) => [name, hub.add((batch) => worker.send({ upstream: name, batch }))]),
    )
    return new Promise<ReadyUpstreams>((resolve, reject) => {
      worker.on('message', (e: Envelope) => {
        if ('upstream' in e) {
          links.get(e.upstream)?.receive(e.batch as Array<Message<PrimaryCalls>>)
        } else if (e.kind === 'ready') resolve(e.upstreams)
        else reject(failure(e.error))
      })
      worker.on('exit', (code, signal) => {
        for (const link of links.values()) link.gone()
        const err = new BrownoutError('INTERNAL', `upstream ${exitReason(worker, code, signal)}`, {
          hint: 'its output is above; the other workers were stopped (a worker is not restarted: its attempts, open ones included, are lost)',
        })
        reject(err)
        if (stopping) return
        stopping = true
        void stopWorkers(workers).then(() => onDeath(err))
      })
    })
  })
  try {
    const ready = await readyOrTimeout(readies)
    const first = ready[0] ?? []
    return {
      members: held.map(({ config, hub }, i) => ({
        name: options.upstreams[i]?.name ?? '',
        url: first[i]?.url ?? '',
        port: first[i]?.port ?? 0,
        config,
        hub,
      })),
      pids: workers.map((w) => w.process.pid ?? 0),
      died,
      stop: () => {
        stopping = true
        return stopWorkers(workers)
      },
    }
  } catch (err) {
    stopping = true
    await stopWorkers(workers)
    throw err
  }
}

type ReadyUpstreams = Array<{ name: string; url: string; port: number }>

function failure(error: WorkerFailure): BrownoutError {
  return new BrownoutError(error.code as ErrorCode, error.message, {
    problems: error.problems,
    ...(error.hint ? { hint: error.hint } : {}),
  })
}

/** Every worker's ready, or a clear error when one is not ready in time. */
async function readyOrTimeout(readies: Array<Promise<ReadyUpstreams>>): Promise<ReadyUpstreams[]> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new BrownoutError('INTERNAL', `not every upstream worker was serving after ${READY_TIMEOUT_MS / 1000} s`, {
            hint: 'the machine may be overloaded: try fewer workers',
          }),
        ),
      READY_TIMEOUT_MS,
    )
  })
  try {
    return await Promise.race([Promise.all(readies), timeout])
  } finally {
    clearTimeout(timer)
  }
}

export interface RunningCluster {
  url: string
  port: number
  config: UpstreamConfig
  pids: number[]
  /** Attempts journaled by every worker. */
  served(): Promise<number>
  died: Promise<never>
  stop(): Promise<void>
}

/** `serve --workers N`: one upstream (named `name`) served by N workers. */
export async function startCluster(options: {
  workers: number
  upstream: UpstreamConfigInput
  name: string
  seed: number
  /** The phases `during: <name>` rules refer to (a scenario's, with `serve --scenario`). */
  phases?: PhaseWindow[]
}): Promise<RunningCluster> {
  const cluster = await startUpstreamCluster({
    workers: options.workers,
    upstreams: [{ name: options.name, options: options.upstream }],
    seed: options.seed,
    ...(options.phases ? { phases: options.phases } : {}),
  })
  const member = cluster.members[0] as ClusterMember
  return {
    url: member.url,
    port: member.port,
    config: member.config,
    pids: cluster.pids,
    served: async () => (await member.hub.counts()).total,
    died: cluster.died,
    stop: cluster.stop,
  }
}
