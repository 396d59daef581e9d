import { dirname, resolve } from 'node:path'
import { request } from 'undici'
import type { Clock } from '../clock.js'
import { BrownoutError } from '../errors.js'
import type { Executor } from '../load/driver.js'
import type { RequestMapping } from '../load/request.js'
import type { RunMeta } from '../record/meta.js'
import { phaseWindows } from '../scenario/load.js'
import type { RequestTemplate, Scenario, SutLimits } from '../scenario/schema.js'
import { clientExecutor } from '../sut/client-mode.js'
import { type StartedSut, startSut } from '../sut/process.js'
import { loadSutProfile, renderTemplate, type SutProfile, templateValues } from '../sut/profile.js'
import { startClusteredUpstreams } from '../upstream/cluster/run-upstreams.js'
import { AttemptCounter } from '../upstream/correlation.js'
import { type RunningUpstream, startUpstream } from '../upstream/server.js'
import type { UpstreamAddress } from './external.js'
import type { SutMode } from './sut-mode.js'
import { sutPort } from './sut-port.js'
import { targetUrl, type WorkerTarget } from './worker-protocol.js'

/** Whether anything answers HTTP at `url` within two seconds. */
export async function answers(url: string): Promise<boolean> {
  try {
    const res = await request(url, { method: 'GET', headersTimeout: 2000, bodyTimeout: 2000 })
    await res.body.dump()
    return true
  } catch {
    return false
  }
}

/** How many ended attempts a run's upstream keeps for its admin API (GET /_brownout/journal) during the run. */
const RUN_UPSTREAM_JOURNAL = 1000

/**
 * Starts every upstream of a scenario on one attempt counter, but those served elsewhere (`external`, from
 * `--upstream-url`); on failure closes those already started. With `workers` > 1 they are served by that many
 * cluster workers, their shared state held here.
 */
export async function startUpstreams(
  scenario: Scenario,
  clock: Clock,
  options: { workers?: number; external?: ReadonlySet<string> } = {},
): Promise<RunningUpstream[]> {
  const workers = options.workers ?? 1
  const external = options.external ?? new Set<string>()
  const phases = phaseWindows(scenario)
  if (workers > 1)
    return startClusteredUpstreams({
      workers,
      upstreams: Object.entries(scenario.upstreams)
        .filter(([name]) => !external.has(name))
        .map(([name, options]) => ({ name, options })),
      seed: scenario.seed,
      phases,
      clock,
    })
  const attempts = new AttemptCounter()
  const started: RunningUpstream[] = []
  try {
    for (const [name, config] of Object.entries(scenario.upstreams)) {
      if (external.has(name)) continue
      started.push(
        await startUpstream({
          ...config,
          name,
          seed: scenario.seed,
          clock,
          attempts,
          phases,
          // The run's journal gets every entry as it ends (warmUpThenRecord); the upstream's own keeps the latest
          // for its admin API, not a second copy of the whole run.
          journalCapacity: RUN_UPSTREAM_JOURNAL,
          deferRefusal: true,
        }),
      )
    }
    return started
  } catch (err) {
    await Promise.all(started.map((u) => u.close()))
    throw err
  }
}

/** Where load goes and how it is carried out, once the SUT (if any) is up. */
export interface Connection {
  baseUrl: (t: RequestTemplate) => string
  mapping: RequestMapping
  execute?: Executor
  /** Client mode: the cap on client processes and the most that ran at once. */
  processes?: () => { cap: number; peak: number }
  sut?: StartedSut
  /** `baseUrl` as plain data, for load workers in other processes (absent in client mode). */
  target?: WorkerTarget
  /** The started gateway's ready URL (probed after the run). */
  readyUrl?: string
}

/** What the scenario adds to the connection: the SUT's own limits, and a client to run in front of it. */
export interface ConnectLayers {
  limits?: SutLimits | undefined
  /** A client profile (file) run in front of the SUT: SDK → gateway → upstreams. */
  client?: string | undefined
}

/**
 * Connects the load to the system under test: a target URL, the upstreams themselves (--direct), a started SUT,
 * or a client program run per request. A client program may run in front of a gateway: its profile's `through`
 * names the gateway profile, or the scenario's `client` names the client to put in front of the SUT; then each
 * request is SDK → gateway → upstreams, and every attempt can be attributed to its layer. Records what it did in
 * `meta`.
 */
export async function connectSut(
  mode: SutMode,
  upstreams: UpstreamAddress[],
  logFile: string,
  meta: RunMeta['sut'],
  layers: ConnectLayers = {},
): Promise<Connection> {
  const byName = Object.fromEntries(upstreams.map((u) => [u.name, u]))
  const first = upstreams[0]
  const values = templateValues(
    mode.mode === 'sut' ? await sutPort() : 0,
    Object.fromEntries(upstreams.map((u) => [u.name, { url: u.url, port: u.port, provider: u.provider }])),
    layers.limits,
  )
  const urls = Object.fromEntries(upstreams.map((u) => [u.name, u.url]))
  const target = (sutUrl: string | null): WorkerTarget => ({ sutUrl, upstreams: urls, first: first?.url ?? '' })
  const upstreamsOnly = target(null)
  const direct = (t: RequestTemplate) => targetUrl(upstreamsOnly, t)
  const front = (inner: Connection, profile: SutProfile, file: string): Connection => {
    if (profile.kind !== 'client') {
      throw new BrownoutError('INVALID_CONFIG', `${file}: a client in front of the SUT must be a client profile`, {
        hint: 'kind: client, a program run once per request (an SDK with its own retries)',
      })
    }
    meta.client = { name: profile.name, command: profile.command }
    const client = clientExecutor(profile, values, file, inner.mapping)
    return { ...inner, execute: client.execute, processes: client.processes }
  }
  const scenarioClient = () => (layers.client ? loadSutProfile(layers.client) : undefined)
  if (mode.mode === 'target') {
    const url = mode.url.replace(/\/$/, '')
    meta.url = url
    const client = scenarioClient()
    const conn: Connection = { baseUrl: () => url, mapping: {}, target: target(url) }
    return client && layers.client ? front(conn, client, layers.client) : conn
  }
  if (mode.mode === 'direct') {
    meta.url = first?.url ?? ''
    const client = scenarioClient()
    const conn: Connection = { baseUrl: direct, mapping: {}, target: upstreamsOnly }
    return client && layers.client ? front(conn, client, layers.client) : conn
  }
  const { profile, file } = mode
  if (profile.kind === 'client' && profile.through) {
    // The client profile names its gateway: start the gateway, run the client against it.
    const gatewayFile = resolve(dirname(resolve(file)), profile.through)
    const gateway = loadSutProfile(gatewayFile, Object.keys(byName))
    const proxy = await startProxy(gateway, gatewayFile, values, logFile, meta)
    return front(proxy, profile, file)
  }
  if (profile.kind === 'client') {
    // Client mode: no server to start; the program runs once per request against the upstreams directly.
    Object.assign(meta, { name: profile.name, command: profile.command, log: logFile })
    meta.url = first?.url ?? ''
    const client = clientExecutor(profile, values, file)
    return { baseUrl: direct, mapping: {}, execute: client.execute, processes: client.processes }
  }
  const proxy = await startProxy(profile, file, values, logFile, meta)
  const client = scenarioClient()
  return client && layers.client ? front(proxy, client, layers.client) : proxy
}

/** Starts a gateway profile and connects the load to it. */
async function startProxy(
  profile: SutProfile,
  file: string,
  values: Record<string, string>,
  logFile: string,
  meta: RunMeta['sut'],
): Promise<Connection> {
  Object.assign(meta, { name: profile.name, command: profile.command, log: logFile })
  // Whether the gateway is configured from the scenario's sut_limits: the limits checks judge only a limiter that was.
  meta.limitsApplied = JSON.stringify(profile).includes('{{sut_limits.')
  const sut = await startSut(profile, values, logFile, file)
  meta.pid = sut.pid
  meta.url = sut.url
  const render = (headers: Record<string, string> = {}) =>
    Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, renderTemplate(v, values)]))
  const apiHeaders = Object.fromEntries(Object.entries(profile.api_headers).map(([api, h]) => [api, render(h)]))
  return {
    baseUrl: () => sut.url,
    mapping: { paths: profile.paths, models: profile.models, headers: render(profile.headers), apiHeaders },
    sut,
    readyUrl: `${sut.url}${profile.ready.path}`,
    target: { sutUrl: sut.url, upstreams: {}, first: sut.url },
  }
}
