/**
 * A load worker (`run --workers N`): a child process that sends one execution segment of the run's schedule and
 * streams its client records back to the parent, which runs the upstreams (one process, so every fault counter,
 * bucket and journal stays exact) and grades. Started by `workers.ts` with `fork`; speaks `WorkerMessage`s.
 */
import { systemClock } from '../clock.js'
import { loadDispatcher, type RunningLoad, startLoad } from '../load/driver.js'
import type { ClientRecord } from '../load/record.js'
import { type ToParent, type ToWorker, targetUrl, type WorkerStart } from './worker-protocol.js'

const send = (m: ToParent) => process.send?.(m)
const FLUSH_MS = 50
const FLUSH_RECORDS = 500

let load: RunningLoad | undefined
let stopped = false

process.on('message', (m: ToWorker) => {
  if (m.type === 'start') void run(m)
  else if (m.type === 'stop') {
    stopped = true
    load?.stop()
  }
})
// The parent went away: nothing to report to.
process.on('disconnect', () => process.exit(0))
send({ type: 'ready' })

async function run(start: WorkerStart): Promise<void> {
  const { target } = start
  const dispatcher = loadDispatcher(start.load)
  const pending: ClientRecord[] = []
  const flush = () => {
    if (pending.length > 0) send({ type: 'records', records: pending.splice(0) })
  }
  const timer = setInterval(() => {
    flush()
    if (load) send({ type: 'stats', stats: plainStats(load) })
  }, FLUSH_MS)
  // Every worker starts its clock at the same epoch ms: the plan's time 0.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, start.startAt - systemClock.now())))
  if (stopped) {
    clearInterval(timer)
    send({ type: 'done' })
    return
  }
  load = startLoad(
    {
      load: start.load,
      seed: start.seed,
      runId: start.runId,
      phases: start.phases,
      durationMs: start.durationMs,
      baseUrl: (t) => targetUrl(target, t),
      mapping: start.mapping,
      clock: systemClock,
      dispatcher,
      segment: start.segment,
      onRecord: (r) => {
        pending.push(r)
        if (pending.length >= FLUSH_RECORDS) flush()
      },
    },
    start.schedule,
  )
  await load.done
  clearInterval(timer)
  flush()
  send({ type: 'stats', stats: plainStats(load) })
  send({ type: 'done' })
}

function plainStats(l: RunningLoad) {
  const { sent, inFlight, notSent, byStatus } = l.stats
  return { sent, inFlight, notSent, byStatus: { ...byStatus } }
}
