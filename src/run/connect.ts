import { request } from 'undici'
import type { Clock } from '../clock.js'
import type { Executor } from '../load/driver.js'
import type { RequestMapping } from '../load/request.js'
import type { RunMeta } from '../record/meta.js'
import { phaseWindows } from '../scenario/load.js'
import type { RequestTemplate, Scenario } from '../scenario/schema.js'
import { clientExecutor } from '../sut/client-mode.js'
import { type StartedSut, startSut } from '../sut/process.js'
import { renderTemplate, templateValues } from '../sut/profile.js'
import { AttemptCounter } from '../upstream/correlation.js'
import { type RunningUpstream, startUpstream } from '../upstream/server.js'
import type { SutMode } from './sut-mode.js'
import { sutPort } from './sut-port.js'
import type { WorkerTarget } from './worker-protocol.js'

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

/** Starts every upstream of a scenario on one attempt counter; on failure closes those already started. */
export async function startUpstreams(scenario: Scenario, clock: Clock): Promise<RunningUpstream[]> {
  const attempts = new AttemptCounter()
  const phases = phaseWindows(scenario)
  const started: RunningUpstream[] = []
  try {
    for (const [name, config] of Object.entries(scenario.upstreams)) {
      started.push(
        await startUpstream({
          ...config,
          name,
          seed: scenario.seed,
          clock,
          attempts,
          phases,
          journalCapacity: 2_000_000,
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
}

/**
 * Connects the load to the system under test: a target URL, the upstreams themselves (--direct), a started SUT,
 * or a client program run per request. Records what it did in `meta`.
 */
export async function connectSut(
  mode: SutMode,
  upstreams: RunningUpstream[],
  logFile: string,
  meta: RunMeta['sut'],
): Promise<Connection> {
  const byName = Object.fromEntries(upstreams.map((u) => [u.name, u]))
  const first = upstreams[0]
  const direct = (t: RequestTemplate) => (t.upstream ? byName[t.upstream] : first)?.url ?? ''
  const urls = Object.fromEntries(upstreams.map((u) => [u.name, u.url]))
  const target = (sutUrl: string | null): WorkerTarget => ({ sutUrl, upstreams: urls, first: first?.url ?? '' })
  if (mode.mode === 'target') {
    const url = mode.url.replace(/\/$/, '')
    meta.url = url
    return { baseUrl: () => url, mapping: {}, target: target(url) }
  }
  if (mode.mode === 'direct') {
    meta.url = first?.url ?? ''
    return { baseUrl: direct, mapping: {}, target: target(null) }
  }
  const { profile, file } = mode
  const values = templateValues(
    await sutPort(),
    Object.fromEntries(upstreams.map((u) => [u.name, { url: u.url, port: u.port, provider: u.config.provider }])),
  )
  Object.assign(meta, { name: profile.name, command: profile.command, log: logFile })
  if (profile.kind === 'client') {
    // Client mode: no server to start; the program runs once per request against the upstreams directly.
    meta.url = first?.url ?? ''
    const client = clientExecutor(profile, values, file)
    return { baseUrl: direct, mapping: {}, execute: client.execute, processes: client.processes }
  }
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
    target: target(sut.url),
  }
}
