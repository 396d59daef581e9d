import { timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Clock, systemClock } from '../clock.js'
import { issueLines } from '../config/problems.js'
import { BrownoutError } from '../errors.js'
import { FaultEngine, unknownPhases } from '../faults/rules.js'
import type { LagStats } from '../lag-stats.js'
import type { PhaseWindow } from '../record/phase.js'
import { createAdminApp } from './admin.js'
import { type UpstreamConfig, type UpstreamConfigInput, upstreamConfigSchema } from './config.js'
import type { AttemptCounter } from './correlation.js'
import { handle, internalError, resetState, type UpstreamState } from './handle.js'
import { Journal } from './journal.js'
import { UpstreamMetrics } from './metrics.js'
import { LocalState, localState, type SharedState, type SharedStateFactory } from './shared-state.js'

/**
 * Connections the kernel holds for the upstream before it accepts them. Node's default (511) overflows when a
 * driver or gateway opens hundreds of connections while this process's event loop is busy: Linux then drops the
 * handshake's last ACK, the client believes it is connected and sends its request, and the server sees it only
 * after a SYN-ACK retransmission 1, 3, 7, 15 s later — an answer brownout would grade as a hang. The kernel caps
 * it at net.core.somaxconn (4096 on current kernels).
 */
const LISTEN_BACKLOG = 65_535

export interface StartUpstreamOptions extends UpstreamConfigInput {
  /** Name in journals and logs (a scenario's upstream key). */
  name?: string
  /** Seed for content, timing and faults. */
  seed?: number
  clock?: Clock
  /** Share one counter between the upstreams of a run, so a failover is attempt 2 of the same request. */
  attempts?: AttemptCounter | undefined
  /** Most journal entries held in memory; older ones are dropped and counted. */
  journalCapacity?: number
  /**
   * With `refuse_connections`: keep listening until `refuse()` is called. A run holds every upstream's port until
   * all are up (and the SUT with them), so a port given up by a refusing upstream is not handed to the next one.
   */
  deferRefusal?: boolean
  /** Phases that `during: <name>` rules refer to, ms since `startedAt`. */
  phases?: PhaseWindow[]
  /** The run's start (ms since epoch) that `during` windows count from; default: now. */
  startedAt?: number
  /** Where the counters, buckets, slots and rules shared with other processes live; default: this process. */
  state?: SharedStateFactory
  /**
   * The state this upstream shares with other processes serving it (a `serve --workers` worker's link to its
   * primary), given ready-made; it takes precedence over `state`.
   */
  shared?: SharedState
  /** Sent as `x-brownout-worker` on every answer: which worker of a cluster served it. */
  workerId?: number
}

export interface RunningUpstream {
  name: string
  url: string
  host: string
  port: number
  config: UpstreamConfig
  journal: Journal
  metrics: UpstreamMetrics
  /** The attempt counter, when this process holds it (not in a cluster worker, nor with state in Redis). */
  attempts: AttemptCounter | undefined
  faults: FaultEngine
  /** How late scheduled writes went out since the last reset: brownout's own timing error on this upstream. */
  timingError(): LagStats
  /**
   * Resolves true once no exchange is in flight (every attempt that arrived has been journaled as ended), or false
   * after `timeoutMs` with some still open (hung, or held open by the SUT): those are in `journal.openEntries()`.
   */
  settled(timeoutMs: number): Promise<boolean>
  /** Forgets what was served (journal, attempt counters, buckets), keeping the fault rules. */
  reset(): Promise<void>
  /** Stops listening, cuts every open connection (including hung ones) and resolves when closed. */
  close(): Promise<void>
  /**
   * Resolves with what happened if a process serving this upstream died (a cluster worker: the run then stops,
   * since the attempts it held are lost); absent when this process serves it.
   */
  crashed?: Promise<string>
  /** A `refuse_connections` upstream started with `deferRefusal` stops listening now; otherwise does nothing. */
  refuse(): Promise<void>
}

/** The upstream's config from `startUpstream`'s options, validated (faults against the phases) or thrown. */
export function parseUpstreamOptions(options: StartUpstreamOptions): UpstreamConfig {
  const {
    name,
    seed: _s,
    clock: _c,
    attempts: _a,
    journalCapacity: _j,
    phases,
    startedAt: _t,
    deferRefusal: _d,
    state: _st,
    shared: _x,
    workerId: _w,
    ...config
  } = options
  const parsed = upstreamConfigSchema.safeParse(config)
  const problems = parsed.success
    ? issueLines(unknownPhases(parsed.data.faults, phases ?? []), 'faults.')
    : issueLines(parsed.error.issues, '', '(options)')
  if (parsed.success && problems.length === 0) return parsed.data
  throw new BrownoutError('INVALID_CONFIG', `invalid options for upstream "${name ?? 'upstream'}"`, {
    problems,
    hint: 'see `brownout schema` for the upstream block and `brownout list faults` for faults',
  })
}

/** Whether an admin request carries the token (health stays open for readiness probes). */
function adminAllowed(req: IncomingMessage, token: string): boolean {
  if ((req.url ?? '').split('?')[0] === '/_brownout/health') return true
  const given = req.headers.authorization ?? ''
  const expected = `Bearer ${token}`
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
}

/** Starts a fake OpenAI- and Anthropic-compatible upstream with fault rules. Use `port: 0` in tests. */
export async function startUpstream(options: StartUpstreamOptions = {}): Promise<RunningUpstream> {
  const config = parseUpstreamOptions(options)
  const clock = options.clock ?? systemClock
  const name = options.name ?? 'upstream'
  const seed = options.seed ?? 1
  const engineOptions = { seed, clock, startedAt: options.startedAt ?? clock.now(), phases: options.phases ?? [] }
  const journal = new Journal(options.journalCapacity)
  const shared =
    options.shared ??
    (await (options.state ?? localState)({
      name,
      clock,
      limits: config.limits,
      capacity: config.capacity,
      rules: config.faults,
      startedAt: engineOptions.startedAt,
      journalCapacity: journal.capacity,
      ...(options.attempts ? { attempts: options.attempts } : {}),
    }))
  const capacity = shared.capacity
  const counters = { inFlight: 0 }
  const metrics = new UpstreamMetrics(name, { inFlight: () => counters.inFlight, queued: () => capacity?.queued ?? 0 })
  const engine = new FaultEngine(shared.rules(), engineOptions)
  shared.onRules((rules) => engine.replace(rules))
  shared.onStart?.((startedAt) => engine.setStart(startedAt))
  const state: UpstreamState = {
    runtime: { name, seed, clock, config },
    journal,
    shared,
    engine,
    capacity,
    metrics,
    counters,
  }
  const idleWaiters = new Set<() => void>()
  const admin = createAdminApp({ state, initialRules: config.faults, phases: engineOptions.phases })

  const server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    if ((req.url ?? '').startsWith('/_brownout')) {
      if (config.admin_token !== undefined && !adminAllowed(req, config.admin_token)) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' })
        res.end(
          JSON.stringify({
            error: {
              message: 'the admin API needs `authorization: Bearer <token>` (the token given with --admin-token)',
              type: 'brownout_admin_error',
            },
          }),
        )
        return
      }
      admin(req, res)
      return
    }
    if (options.workerId !== undefined) res.setHeader('x-brownout-worker', String(options.workerId))
    counters.inFlight++
    handle(state, req, res).then(done, (err: unknown) =>
      internalError(state, req, res, err)
        // A shared state that cannot answer (Redis gone) cannot number the internal error's journal entry either
        // (its 500 went out first): nothing more to do than make sure the connection ends.
        .catch(() => res.destroy())
        .then(done),
    )
  })
  /** An exchange is over (answered and journaled, or failed): wake whoever waits for none in flight. */
  const done = () => {
    if (--counters.inFlight === 0) for (const wake of idleWaiters) wake()
  }
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
    else socket.destroy()
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code === 'EADDRINUSE' ? 'PORT_IN_USE' : 'LISTEN_FAILED'
      reject(
        new BrownoutError(code, `upstream "${name}" cannot listen on ${config.host}:${config.port}: ${err.message}`, {
          cause: err,
          hint: code === 'PORT_IN_USE' ? 'pick another port, or port 0 for a free one' : 'check the host and port',
        }),
      )
    })
    server.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => resolve())
  }).catch(async (err: unknown) => {
    await shared.close()
    throw err
  })
  const port = (server.address() as AddressInfo).port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  // A refusing upstream took a real port (so its URL is stable) and stops listening: connections get ECONNREFUSED.
  // Stops listening and cuts every open connection (hung ones and pooled keep-alives included).
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve()
      server.close(() => resolve())
      server.closeAllConnections()
    })
  const refuse = () => (config.refuse_connections ? stopListening() : Promise.resolve())
  if (!options.deferRefusal) await refuse()
  return {
    name,
    url: `http://${host}:${port}`,
    host: config.host,
    port,
    config,
    journal: state.journal,
    metrics,
    attempts: shared instanceof LocalState ? shared.attempts : options.attempts,
    faults: state.engine,
    settled: (timeoutMs) =>
      new Promise<boolean>((resolve) => {
        if (counters.inFlight === 0) return resolve(true)
        const done = (idle: boolean) => {
          clearTimeout(timer)
          idleWaiters.delete(wake)
          resolve(idle)
        }
        const wake = () => done(true)
        const timer = setTimeout(() => done(false), timeoutMs)
        idleWaiters.add(wake)
      }),
    timingError: () => metrics.timingError.stats(),
    reset: async () => {
      metrics.timingError.reset()
      await resetState(state)
    },
    refuse,
    close: async () => {
      await stopListening()
      await shared.close()
    },
  }
}
