import { BrownoutError } from '../../errors.js'
import { parseUpstreamOptions, type RunningUpstream, startUpstream } from '../server.js'
import { localJournalView } from '../shared-state.js'
import { IpcState } from './ipc-state.js'
import { type Message, type PrimaryCalls, SETUP_ENV, type WorkerCalls, type WorkerSetup } from './protocol.js'
import { Rpc } from './rpc.js'

/**
 * A `serve --workers` worker (forked by the primary through Node's cluster module): serves the upstream on the
 * port the cluster shares, with its shared state held by the primary (IpcState). It exits when the primary goes.
 */
async function main(): Promise<void> {
  const setup = JSON.parse(process.env[SETUP_ENV] ?? 'null') as WorkerSetup | null
  if (!setup || !process.send) throw new Error(`the cluster worker needs ${SETUP_ENV} and an IPC channel`)
  const send = (batch: Array<Message<PrimaryCalls> | Message<WorkerCalls>>) => process.send?.(batch)
  let upstream: RunningUpstream | undefined
  const rpc = new Rpc<PrimaryCalls, WorkerCalls>(send, {
    rules: (rules) => {
      state.applyRules(rules)
      return null
    },
    reset: () => {
      upstream?.journal.clear()
      upstream?.metrics.timingError.reset()
      return null
    },
    journal: async ({ query }) => {
      const view = upstream ? localJournalView(upstream.journal) : undefined
      return { ended: (await view?.entries(query, 'ended')) ?? [], open: (await view?.entries(query, 'open')) ?? [] }
    },
    counts: async () =>
      (await (upstream ? localJournalView(upstream.journal).counts() : undefined)) ?? {
        size: 0,
        total: 0,
        dropped: 0,
        open: 0,
      },
    metrics: () => upstream?.metrics.registry.getMetricsAsJSON() ?? [],
  })
  process.on('message', (batch: Array<Message<WorkerCalls>>) => rpc.receive(batch))
  // The primary is gone (killed, crashed): a worker alone would serve attempts no one counts.
  process.on('disconnect', () => process.exit(1))
  // Ctrl-C reaches every process of the terminal's group: the primary stops the workers, in order.
  process.on('SIGINT', () => undefined)
  process.on('SIGTERM', () => {
    void (upstream?.close() ?? Promise.resolve()).finally(() => process.exit(0))
  })
  const options = { ...setup.options, name: setup.name, seed: setup.seed, phases: setup.phases }
  const config = parseUpstreamOptions(options)
  const state = new IpcState(rpc, config.faults, config.capacity !== undefined)
  upstream = await startUpstream({ ...options, startedAt: setup.startedAt, shared: state, workerId: setup.index })
  rpc.note({ kind: 'ready', url: upstream.url, port: upstream.port })
}

main().catch((err: unknown) => {
  const e = err instanceof BrownoutError ? err : undefined
  const error = {
    code: e?.code ?? 'INTERNAL',
    message: err instanceof Error ? err.message : String(err),
    hint: e?.hint,
    problems: e?.problems ?? [],
  }
  // Exits once the primary has the failure (or at once, without a primary).
  if (process.send) process.send([{ kind: 'failed', error }], undefined, {}, () => process.exit(1))
  else process.exit(1)
})
