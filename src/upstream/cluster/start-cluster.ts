import cluster, { type Worker } from 'node:cluster'
import { type Clock, systemClock } from '../../clock.js'
import { BrownoutError, type ErrorCode } from '../../errors.js'
import type { PhaseWindow } from '../../record/phase.js'
import { workerModule } from '../../worker-module.js'
import { Capacity } from '../capacity.js'
import type { UpstreamConfig, UpstreamConfigInput } from '../config.js'
import { parseUpstreamOptions } from '../server.js'
import { LocalState } from '../shared-state.js'
import { ClusterHub } from './hub.js'
import { type Message, type PrimaryCalls, SETUP_ENV, type WorkerSetup } from './protocol.js'

/** A worker that has not started serving by then is not coming. */
const READY_TIMEOUT_MS = 30_000
/** How long a worker gets to close after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 5_000

export interface ClusterOptions {
  workers: number
  /** The upstream block, as `startUpstream` takes it (host, port, latency, capacity, limits, faults, …). */
  upstream: UpstreamConfigInput
  name: string
  seed: number
  phases?: PhaseWindow[]
  clock?: Clock
}

export interface RunningCluster {
  url: string
  port: number
  config: UpstreamConfig
  /** The workers' process ids, in fork order. */
  pids: number[]
  /** Attempts journaled by every worker. */
  served(): Promise<number>
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

/**
 * Serves one upstream from `workers` processes on one shared port (Node's cluster: the primary, this process,
 * holds the listening socket and hands connections round-robin). The primary holds the shared state; each worker
 * asks it at every arrival. Resolves once every worker serves; rejects (with every worker stopped) if one cannot.
 */
export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const phases = options.phases ?? []
  const config = parseUpstreamOptions({ ...options.upstream, name: options.name, phases })
  const clock = options.clock ?? systemClock
  const capacity = config.capacity ? new Capacity(config.capacity, () => clock.now()) : undefined
  const local = new LocalState({ name: options.name, clock, limits: config.limits, capacity, rules: config.faults })
  const hub = new ClusterHub(local, capacity)
  const { path, execArgv } = workerModule(import.meta.url, 'worker')
  cluster.setupPrimary({ exec: path, args: [], execArgv, serialization: 'json' })
  const setup = { options: options.upstream, name: options.name, seed: options.seed, startedAt: clock.now(), phases }
  const workers: Worker[] = []
  let stopping = false
  let onDeath: (err: BrownoutError) => void = () => undefined
  const died = new Promise<never>((_, reject) => (onDeath = reject))
  died.catch(() => undefined)
  const readies = Array.from({ length: options.workers }, (_, i) => {
    const workerSetup: WorkerSetup = { ...setup, index: i + 1 }
    const worker = cluster.fork({ [SETUP_ENV]: JSON.stringify(workerSetup) })
    workers.push(worker)
    const link = hub.add((m) => worker.send(m))
    return new Promise<{ url: string; port: number }>((resolve, reject) => {
      worker.on('message', (batch: Array<Message<PrimaryCalls>>) => {
        for (const m of batch) {
          if (m.kind === 'ready') resolve({ url: m.url, port: m.port })
          else if (m.kind === 'failed')
            reject(
              new BrownoutError(m.error.code as ErrorCode, m.error.message, {
                problems: m.error.problems,
                ...(m.error.hint ? { hint: m.error.hint } : {}),
              }),
            )
          else link.receive(m)
        }
      })
      worker.on('exit', (code, signal) => {
        link.gone()
        const err = new BrownoutError('INTERNAL', `serve: ${exitReason(worker, code, signal)}`, {
          hint: 'its output is above; the other workers were stopped. Start serve again (a worker is not restarted: its attempts, open ones included, are lost)',
        })
        reject(err)
        if (stopping) return
        stopping = true
        void stopWorkers(workers).then(() => onDeath(err))
      })
    })
  })
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new BrownoutError('INTERNAL', `serve: not every worker was serving after ${READY_TIMEOUT_MS / 1000} s`, {
            hint: 'the machine may be overloaded: try fewer --workers',
          }),
        ),
      READY_TIMEOUT_MS,
    )
  })
  try {
    const ready = await Promise.race([Promise.all(readies), timeout])
    const first = ready[0] as { url: string; port: number }
    return {
      url: first.url,
      port: first.port,
      config,
      pids: workers.map((w) => w.process.pid ?? 0),
      served: async () => (await hub.counts()).total,
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
  } finally {
    clearTimeout(timer)
  }
}
