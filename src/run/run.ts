import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { type Clock, systemClock } from '../clock.js'
import { BrownoutError } from '../errors.js'
import { type Executor, type LoadStats, runIdFor, startLoad } from '../load/driver.js'
import type { ClientRecord } from '../load/record.js'
import type { RequestMapping } from '../load/request.js'
import { arrivalTimes, phaseSegments, stageSegments } from '../load/schedule.js'
import { phaseWindows, totalDurationMs } from '../scenario/load.js'
import type { RequestTemplate, Scenario } from '../scenario/schema.js'
import { clientExecutor } from '../sut/client-mode.js'
import { type StartedSut, startSut, tail } from '../sut/process.js'
import { type SutProfile, templateValues } from '../sut/profile.js'
import { AttemptCounter } from '../upstream/correlation.js'
import type { JournalEntry } from '../upstream/journal.js'
import { type RunningUpstream, startUpstream } from '../upstream/server.js'
import { VERSION } from '../version.js'
import { JsonLines, prepareOutDir, writeJson } from './files.js'

export type SutMode =
  | { mode: 'target'; url: string }
  | { mode: 'sut'; profile: SutProfile; file: string }
  | { mode: 'direct' }

export interface RunOptions {
  scenario: Scenario
  scenarioFile?: string
  sut: SutMode
  outDir?: string
  clock?: Clock
  /** Aborting it stops the run early (Ctrl-C): what was collected is kept and the run is marked incomplete. */
  signal?: AbortSignal
  /** Called about once a second with live numbers (for a progress line). */
  onProgress?: (p: { phase: string; elapsedMs: number; durationMs: number; stats: LoadStats }) => void
  /** How long to wait for in-flight requests after the schedule ends (default: the client timeout). */
  drainMs?: number
}

export interface RunMeta {
  schema: 'brownout.run/1'
  brownout: string
  node: string
  scenario: { name: string; description: string; file: string | null }
  seed: number
  runId: string
  loadStartedAt: number
  durationMs: number
  phases: Array<{ name: string; startMs: number; endMs: number }>
  sut: {
    mode: SutMode['mode']
    url: string
    name?: string
    command?: string | string[]
    log?: string
    pid?: number
    /** Whether the SUT still answered its ready check after the load (not probed with --direct). */
    aliveAfter?: boolean
  }
  upstreams: Record<string, { url: string; port: number; provider: string }>
  counts: {
    requests: number
    attempts: number
    notSent: number
    byOutcome: Record<string, number>
    journalDropped: number
  }
  complete: boolean
  stopReason: string | null
}

export interface RunResult {
  meta: RunMeta
  records: ClientRecord[]
  journal: JournalEntry[]
  /** Set when the run could not complete (SUT crash, interrupt). */
  error?: BrownoutError
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** Whether anything answers HTTP at `url` within two seconds. */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await request(url, { method: 'GET', headersTimeout: 2000, bodyTimeout: 2000 })
    await res.body.dump()
    return true
  } catch {
    return false
  }
}

/** Starts every upstream of a scenario on one attempt counter; on failure closes those already started. */
async function startUpstreams(scenario: Scenario, clock: Clock): Promise<RunningUpstream[]> {
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
        }),
      )
    }
    return started
  } catch (err) {
    await Promise.all(started.map((u) => u.close()))
    throw err
  }
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1
  return out
}

/**
 * Runs one scenario: upstreams, the SUT (or a target, or direct), the load, and the records of both sides.
 * Always cleans up: every upstream closed, the SUT's process group stopped.
 */
export async function runScenario(opts: RunOptions): Promise<RunResult> {
  const { scenario } = opts
  const clock = opts.clock ?? systemClock
  const outDir = opts.outDir ? prepareOutDir(opts.outDir) : undefined
  if (outDir) rmSync(join(outDir, '.brownout-write-test'), { force: true })
  const runId = runIdFor(scenario.name, scenario.seed)
  const durationMs = totalDurationMs(scenario)
  const phases = phaseWindows(scenario)
  const records: ClientRecord[] = []
  const journal: JournalEntry[] = []
  const upstreams = await startUpstreams(scenario, clock)
  let sut: StartedSut | undefined
  let error: BrownoutError | undefined
  let stopReason: string | null = null
  const requestsFile = outDir ? new JsonLines(join(outDir, 'requests.jsonl')) : undefined
  const journalFile = outDir ? new JsonLines(join(outDir, 'journal.jsonl')) : undefined
  const unsubscribes: Array<() => void> = []
  let finished = false
  const meta: RunMeta = {
    schema: 'brownout.run/1',
    brownout: VERSION,
    node: process.version,
    scenario: { name: scenario.name, description: scenario.description, file: opts.scenarioFile ?? null },
    seed: scenario.seed,
    runId,
    loadStartedAt: 0,
    durationMs,
    phases,
    sut: { mode: opts.sut.mode, url: '' },
    upstreams: Object.fromEntries(
      upstreams.map((u) => [u.name, { url: u.url, port: u.port, provider: u.config.provider }]),
    ),
    counts: { requests: 0, attempts: 0, notSent: 0, byOutcome: {}, journalDropped: 0 },
    complete: false,
    stopReason: null,
  }
  try {
    const byName = Object.fromEntries(upstreams.map((u) => [u.name, u]))
    let baseUrl: (t: RequestTemplate) => string
    let mapping: RequestMapping = {}
    let execute: Executor | undefined
    if (opts.sut.mode === 'target') {
      const url = opts.sut.url.replace(/\/$/, '')
      baseUrl = () => url
      meta.sut.url = url
    } else if (opts.sut.mode === 'direct') {
      const first = upstreams[0]
      baseUrl = (t) => (t.upstream ? byName[t.upstream] : first)?.url ?? ''
      meta.sut.url = first?.url ?? ''
    } else {
      const { profile, file } = opts.sut
      const logFile = outDir ? join(outDir, 'sut.log') : join(tmpdir(), `brownout-sut-${process.pid}-${runId}.log`)
      const values = templateValues(await freePort(), byName)
      Object.assign(meta.sut, { name: profile.name, command: profile.command, log: logFile })
      if (profile.kind === 'client') {
        // Client mode: no server to start; the program runs once per request against the upstreams directly.
        const first = upstreams[0]
        baseUrl = (t) => (t.upstream ? byName[t.upstream] : first)?.url ?? ''
        meta.sut.url = first?.url ?? ''
        execute = clientExecutor(profile, values, file)
      } else {
        sut = await startSut(profile, values, logFile, file)
        meta.sut.pid = sut.pid
        const url = sut.url
        baseUrl = () => url
        meta.sut.url = url
        mapping = {
          paths: profile.paths,
          models: profile.models,
          headers: Object.fromEntries(
            Object.entries(profile.headers).map(([k, v]) => [
              k,
              v.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (w, n: string) => values[n] ?? w),
            ]),
          ),
        }
      }
    }
    for (const u of upstreams) {
      u.reset()
      unsubscribes.push(
        u.journal.subscribe((entry) => {
          journal.push(entry)
          journalFile?.write(entry)
        }),
      )
    }
    const segments = opts.scenario.load.stages
      ? stageSegments(scenario.load.stages ?? [], durationMs)
      : phaseSegments(scenario.phases, scenario.load.rate ?? 10)
    const schedule = scenario.load.concurrency !== undefined ? undefined : arrivalTimes(segments)
    const load = startLoad(
      {
        load: scenario.load,
        seed: scenario.seed,
        runId,
        phases,
        durationMs,
        baseUrl,
        mapping,
        clock,
        ...(execute ? { execute } : {}),
        onRecord: (r) => {
          records.push(r)
          requestsFile?.write(r)
        },
      },
      schedule,
    )
    meta.loadStartedAt = load.startMs
    for (const u of upstreams) u.faults.setStart(load.startMs)
    const progress = opts.onProgress
      ? setInterval(() => {
          const elapsedMs = clock.now() - load.startMs
          const phase = phases.find((p) => elapsedMs >= p.startMs && elapsedMs < p.endMs)?.name ?? 'draining'
          opts.onProgress?.({ phase, elapsedMs, durationMs, stats: load.stats })
        }, 1000)
      : undefined
    let onAbort: (() => void) | undefined
    const interrupted = new Promise<string>((resolve) => {
      if (opts.signal?.aborted) resolve('interrupted')
      onAbort = () => resolve('interrupted')
      opts.signal?.addEventListener('abort', onAbort, { once: true })
      void sut?.crashed.then((why) => resolve(`the SUT ${why} during the run`))
    })
    const outcome = await Promise.race([load.done.then(() => 'done'), interrupted])
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort)
    if (outcome !== 'done') {
      stopReason = outcome
      load.stop()
      let drainTimer: NodeJS.Timeout | undefined
      await Promise.race([load.done, new Promise((r) => (drainTimer = setTimeout(r, opts.drainMs ?? 5000)))])
      clearTimeout(drainTimer)
      const sutLog = sut ? `\nIts last output:\n${tail(sut.logFile)}` : ''
      error =
        outcome === 'interrupted'
          ? new BrownoutError('INTERNAL', 'run interrupted: load stopped, partial results kept and marked incomplete')
          : new BrownoutError('SUT_CRASHED', `${outcome}; partial results kept and marked incomplete.${sutLog}`, {
              hint: sut ? `see ${sut.logFile}` : 'check the SUT',
            })
    }
    if (progress) clearInterval(progress)
    // What the upstreams see after the load (the liveness probe, say) is not part of the run.
    for (const off of unsubscribes.splice(0)) off()
    if (
      outcome === 'done' &&
      opts.sut.mode !== 'direct' &&
      !(opts.sut.mode === 'sut' && opts.sut.profile.kind === 'client')
    ) {
      const probeUrl = opts.sut.mode === 'sut' ? `${meta.sut.url}${opts.sut.profile.ready.path}` : meta.sut.url
      meta.sut.aliveAfter = await answers(probeUrl)
    }
    finished = true
  } finally {
    for (const off of unsubscribes) off()
    await sut?.stop()
    await Promise.all(upstreams.map((u) => u.close()))
    meta.counts = {
      requests: records.length,
      attempts: journal.length,
      notSent: records.filter((r) => r.outcome === 'not-sent').length,
      byOutcome: countBy(records, (r) => r.outcome),
      journalDropped: upstreams.reduce((s, u) => s + u.journal.dropped, 0),
    }
    meta.complete = finished && error === undefined && stopReason === null
    meta.stopReason = stopReason
    await requestsFile?.close()
    await journalFile?.close()
    if (outDir) {
      writeJson(join(outDir, 'run.json'), meta)
      writeJson(join(outDir, 'scenario.json'), scenario)
    }
  }
  return error ? { meta, records, journal, error } : { meta, records, journal }
}
