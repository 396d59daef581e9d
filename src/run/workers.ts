import { type ChildProcess, fork } from 'node:child_process'
import type { Clock } from '../clock.js'
import { BrownoutError } from '../errors.js'
import type { LoadStats, RunningLoad } from '../load/driver.js'
import type { ClientRecord } from '../load/record.js'
import { DeadlineLag } from '../load/send.js'
import { workerModule } from '../worker-module.js'
import type { ToParent, ToWorker, WorkerStart, WorkerStats } from './worker-protocol.js'

/** From the last worker's `ready` to the plan's time 0: time for the start message to reach every worker. */
const START_AHEAD_MS = 100
/** A worker that has not loaded its modules by then is not coming. */
const READY_TIMEOUT_MS = 30_000

/** `auto`: one worker per core but one, which the upstreams and the parent keep. */
export function workerCount(value: string | number, cores: number): number {
  if (value === 'auto') return Math.max(1, cores - 1)
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new BrownoutError('INVALID_USAGE', `--workers ${value}: expected a whole number from 1 to 256, or auto`, {
      hint: 'auto runs one load worker per core but one (the upstreams keep it)',
    })
  return n
}

/**
 * Sends the schedule from `count` worker processes, one execution segment each: once every worker has loaded
 * (`ready`), all are told to start at the same epoch ms; their records come back here (`onRecord`). The result
 * behaves as `startLoad`'s: live stats summed over the workers, `stop()` stops them all, `done` settles when every
 * worker has sent its last record and exited.
 */
export async function startWorkerLoad(
  count: number,
  start: Omit<WorkerStart, 'type' | 'segment' | 'startAt'>,
  clock: Clock,
  onRecord: (r: ClientRecord) => void,
): Promise<RunningLoad> {
  const { path, execArgv } = workerModule(import.meta.url, 'load-worker')
  const readies: Array<Promise<void>> = []
  const perWorker: WorkerStats[] = []
  const stats: LoadStats = { sent: 0, inFlight: 0, notSent: 0, byStatus: {}, deadlines: new DeadlineLag() }
  const sum = () => {
    stats.sent = perWorker.reduce((s, w) => s + w.sent, 0)
    stats.inFlight = perWorker.reduce((s, w) => s + w.inFlight, 0)
    stats.notSent = perWorker.reduce((s, w) => s + w.notSent, 0)
    const byStatus: Record<string, number> = {}
    for (const w of perWorker) for (const [k, v] of Object.entries(w.byStatus)) byStatus[k] = (byStatus[k] ?? 0) + v
    stats.byStatus = byStatus
  }
  const children: ChildProcess[] = []
  const exits = Array.from({ length: count }, (_, index) => {
    perWorker.push({ sent: 0, inFlight: 0, notSent: 0, byStatus: {} })
    const child = fork(path, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    children.push(child)
    let ready: () => void = () => undefined
    readies.push(new Promise<void>((resolve) => (ready = resolve)))
    child.on('message', (m: ToParent) => {
      if (m.type === 'ready') ready()
      else if (m.type === 'records') for (const r of m.records) onRecord(r)
      else if (m.type === 'stats') {
        perWorker[index] = m.stats
        sum()
      } else if (m.type === 'done') child.disconnect()
    })
    return new Promise<void>((resolve, reject) => {
      child.on('exit', (code, signal) => {
        if (code === 0) resolve()
        else
          reject(
            new Error(
              `load worker ${index + 1}/${count} ${signal ? `killed by ${signal}` : `exited with code ${code}`}`,
            ),
          )
      })
    })
  })
  const done = Promise.all(exits).then(() => undefined)
  const killAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  }
  done.catch(killAll)
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the load workers did not start within ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    )
  })
  try {
    // A worker that dies while loading fails `done` before it is ready: that ends the wait too.
    await Promise.race([Promise.all(readies), done, timedOut])
  } catch (err) {
    killAll()
    throw err
  } finally {
    clearTimeout(timer)
  }
  const startAt = clock.now() + START_AHEAD_MS
  children.forEach((child, index) => {
    const message: ToWorker = { type: 'start', ...start, segment: { index, count }, startAt }
    child.send(message)
  })
  return {
    stats,
    startMs: startAt,
    stop: () => {
      for (const c of children) if (c.connected) c.send({ type: 'stop' } satisfies ToWorker)
    },
    done,
  }
}
