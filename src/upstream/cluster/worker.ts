import { BrownoutError } from '../../errors.js'
import { parseUpstreamOptions, type RunningUpstream, startUpstream } from '../server.js'
import { localJournalView } from '../shared-state.js'
import { IpcState } from './ipc-state.js'
import {
  type Envelope,
  type Message,
  type PrimaryCalls,
  SETUP_ENV,
  type UpstreamSetup,
  type WorkerCalls,
  type WorkerSetup,
} from './protocol.js'
import { type Answers, Rpc } from './rpc.js'

/** How a worker answers the primary about one upstream it serves (once `upstream()` has started). */
function answers(upstream: () => RunningUpstream | undefined, state: () => IpcState): Answers<WorkerCalls> {
  const view = () => {
    const u = upstream()
    if (!u) throw new Error('the upstream has not started')
    return localJournalView(u.journal)
  }
  return {
    rules: (rules) => {
      state().applyRules(rules)
      return null
    },
    reset: () => {
      upstream()?.journal.clear()
      upstream()?.metrics.timingError.reset()
      return null
    },
    journal: async ({ query }) => ({
      ended: await view().entries(query, 'ended'),
      open: await view().entries(query, 'open'),
    }),
    counts: () => view().counts(),
    metrics: () => upstream()?.metrics.registry.getMetricsAsJSON() ?? [],
    idle: (timeoutMs) => upstream()?.settled(timeoutMs) ?? true,
    timing: () => upstream()?.timingError() ?? { count: 0, p99Ms: 0, maxMs: 0 },
    refuse: async () => {
      await upstream()?.refuse()
      return null
    },
  }
}

/** Starts one upstream of this worker, its shared state held by the primary over `send`. */
async function serveOne(
  setup: WorkerSetup,
  one: UpstreamSetup,
  send: (e: Envelope) => void,
  receivers: Map<string, (batch: Array<Message<WorkerCalls>>) => void>,
): Promise<RunningUpstream> {
  let upstream: RunningUpstream | undefined
  let state: IpcState | undefined
  const rpc = new Rpc<PrimaryCalls, WorkerCalls>(
    (batch) => send({ upstream: one.name, batch }),
    answers(
      () => upstream,
      () => state as IpcState,
    ),
  )
  receivers.set(one.name, (batch) => rpc.receive(batch))
  const options = { ...one.options, name: one.name, seed: setup.seed, phases: setup.phases }
  const config = parseUpstreamOptions(options)
  state = new IpcState(rpc, config.faults, config.capacity !== undefined, setup.startedAt)
  upstream = await startUpstream({
    ...options,
    startedAt: setup.startedAt,
    shared: state,
    workerId: setup.index,
    deferRefusal: setup.deferRefusal,
    ...(setup.journalCapacity ? { journalCapacity: setup.journalCapacity } : {}),
  })
  if (setup.stream) upstream.journal.subscribe((entry) => rpc.note({ kind: 'entry', entry }))
  return upstream
}

/**
 * A cluster worker (forked by the primary through Node's cluster module): serves the upstreams on the ports the
 * cluster shares, their shared state held by the primary (IpcState). It exits when the primary goes.
 */
async function main(): Promise<void> {
  const setup = JSON.parse(process.env[SETUP_ENV] ?? 'null') as WorkerSetup | null
  if (!setup || !process.send) throw new Error(`the cluster worker needs ${SETUP_ENV} and an IPC channel`)
  const send = (e: Envelope) => process.send?.(e)
  const receivers = new Map<string, (batch: Array<Message<WorkerCalls>>) => void>()
  process.on('message', (e: Envelope) => {
    if ('upstream' in e) receivers.get(e.upstream)?.(e.batch as Array<Message<WorkerCalls>>)
  })
  const started: RunningUpstream[] = []
  // The primary is gone (killed, crashed): a worker alone would serve attempts no one counts.
  process.on('disconnect', () => process.exit(1))
  // Ctrl-C reaches every process of the terminal's group: the primary stops the workers, in order.
  process.on('SIGINT', () => undefined)
  process.on('SIGTERM', () => {
    void Promise.all(started.map((u) => u.close())).finally(() => process.exit(0))
  })
  // One after another: the nth listen on port 0 must be the nth in every worker.
  for (const one of setup.upstreams) started.push(await serveOne(setup, one, send, receivers))
  send({ kind: 'ready', upstreams: started.map((u) => ({ name: u.name, url: u.url, port: u.port })) })
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
  if (process.send) process.send({ kind: 'failed', error } satisfies Envelope, undefined, {}, () => process.exit(1))
  else process.exit(1)
})
