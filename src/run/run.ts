import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Clock, systemClock } from '../clock.js'
import { BrownoutError } from '../errors.js'
import { type LagStats, NO_LAG } from '../lag-stats.js'
import { type LoadStats, loadDispatcher, runIdFor, startLoad } from '../load/driver.js'
import { type ClientRecord, neverReached } from '../load/record.js'
import { arrivalTimes, phaseSegments, stageSegments } from '../load/schedule.js'
import { phaseWindows, totalDurationMs } from '../scenario/load.js'
import type { Scenario } from '../scenario/schema.js'
import { type StartedSut, type SutFailure, SutStartError, tail } from '../sut/process.js'
import type { SutProfile } from '../sut/profile.js'
import type { JournalEntry } from '../upstream/journal.js'
import { VERSION } from '../version.js'
import { Compactor } from './compact.js'
import { answers, type Connection, connectSut, startUpstreams } from './connect.js'
import { JsonLines, prepareOutDir, writeJson } from './files.js'
import { assessHarness, type HarnessMeta } from './harness.js'
import { type HarnessMonitor, startHarnessMonitor } from './harness-monitor.js'
import { warmUp } from './warmup.js'

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
  /**
   * After the last client record, how long to wait for upstream attempts still in flight to end before those still
   * open are recorded as open (default 1000 ms).
   */
  settleMs?: number
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
    /** The SUT did not start, or died during the run: when, why, and its last output. */
    failure?: SutFailure
  }
  upstreams: Record<string, { url: string; port: number; provider: string }>
  counts: {
    requests: number
    attempts: number
    /** Attempts the SUT still held open when the run ended (journaled with `endedBy: 'open'`); absent in old runs. */
    openAttempts?: number
    notSent: number
    byOutcome: Record<string, number>
    journalDropped: number
    /** Sent requests with no upstream attempt at all: answered by the SUT itself (or lost on the way). */
    neverReachedUpstream?: number
  }
  complete: boolean
  stopReason: string | null
  /** brownout's own lag during the run and whether it limits the verdict (absent in runs saved before 0.x). */
  harness?: HarnessMeta
}

export interface RunResult {
  meta: RunMeta
  records: ClientRecord[]
  journal: JournalEntry[]
  /** Set when the run could not complete (SUT crash, interrupt). */
  error?: BrownoutError
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
  // A run holds every record and entry until it is graded: share what they repeat.
  const compact = new Compactor()
  const upstreams = await startUpstreams(scenario, clock)
  let sut: StartedSut | undefined
  let error: BrownoutError | undefined
  let stopReason: string | null = null
  const requestsFile = outDir ? new JsonLines(join(outDir, 'requests.jsonl')) : undefined
  const journalFile = outDir ? new JsonLines(join(outDir, 'journal.jsonl')) : undefined
  const unsubscribes: Array<() => void> = []
  let finished = false
  let connection: Connection | undefined
  let monitor: HarnessMonitor | undefined
  let warmup: HarnessMeta['warmup'] = null
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
    counts: { requests: 0, attempts: 0, openAttempts: 0, notSent: 0, byOutcome: {}, journalDropped: 0 },
    complete: false,
    stopReason: null,
  }
  try {
    const logFile = outDir ? join(outDir, 'sut.log') : join(tmpdir(), `brownout-sut-${process.pid}-${runId}.log`)
    try {
      connection = await connectSut(opts.sut, upstreams, logFile, meta.sut)
    } catch (err) {
      // A SUT that does not start is this run's failure, recorded (a suite goes on with the next scenario).
      if (!(err instanceof SutStartError)) throw err
      meta.sut.failure = err.failure
      error = err
      return { meta, records, journal, error }
    }
    sut = connection.sut
    const { baseUrl, mapping, execute } = connection
    // Refusing upstreams held their ports until every port of the run was taken; now nothing listens there.
    await Promise.all(upstreams.map((u) => u.refuse()))
    // The warm-up runs before the upstreams are reset and the journal is listened to: none of it is recorded.
    const dispatcher = loadDispatcher(scenario.load)
    warmup = await warmUp(scenario, opts.sut, meta.sut.url, dispatcher, clock)
    for (const u of upstreams) {
      u.reset()
      unsubscribes.push(
        u.journal.subscribe((entry) => {
          journal.push(compact.entry(entry))
          journalFile?.write(entry)
        }),
      )
    }
    const segments = opts.scenario.load.stages
      ? stageSegments(scenario.load.stages ?? [], durationMs)
      : phaseSegments(scenario.phases, scenario.load.rate ?? 10)
    const schedule = scenario.load.concurrency !== undefined ? undefined : arrivalTimes(segments)
    monitor = startHarnessMonitor()
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
        dispatcher,
        ...(execute ? { execute } : {}),
        onRecord: (r) => {
          records.push(compact.record(r))
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
    let crash: string | undefined
    const interrupted = new Promise<string>((resolve) => {
      if (opts.signal?.aborted) resolve('interrupted')
      onAbort = () => resolve('interrupted')
      opts.signal?.addEventListener('abort', onAbort, { once: true })
      void sut?.crashed.then((why) => {
        crash = why
        resolve(`the SUT ${why} during the run`)
      })
    })
    const outcome = await Promise.race([load.done.then(() => 'done'), interrupted])
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort)
    if (outcome !== 'done') {
      stopReason = outcome
      load.stop()
      let drainTimer: NodeJS.Timeout | undefined
      await Promise.race([load.done, new Promise((r) => (drainTimer = setTimeout(r, opts.drainMs ?? 5000)))])
      clearTimeout(drainTimer)
      const last = sut ? tail(sut.logFile) : ''
      const sutLog = sut ? `\nIts last output:\n${last}` : ''
      if (crash !== undefined) meta.sut.failure = { when: 'run', reason: crash, lastOutput: last.split('\n') }
      error =
        outcome === 'interrupted'
          ? new BrownoutError('INTERNAL', 'run interrupted: load stopped, partial results kept and marked incomplete')
          : new BrownoutError('SUT_CRASHED', `${outcome}; partial results kept and marked incomplete.${sutLog}`, {
              hint: sut ? `see ${sut.logFile}` : 'check the SUT',
            })
    }
    if (progress) clearInterval(progress)
    // An attempt can end a moment after its client got an answer, or never (held open by the SUT): wait briefly for
    // every exchange in flight, then record those still open as open. What the upstreams see after this (the
    // liveness probe, say) is not part of the run.
    await Promise.all(upstreams.map((u) => u.settled(opts.settleMs ?? 1000)))
    for (const off of unsubscribes.splice(0)) off()
    for (const entry of upstreams.flatMap((u) => u.journal.openEntries())) {
      journal.push(compact.entry(entry))
      journalFile?.write(entry)
    }
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
    const eventLoop = monitor?.stop()
    if (eventLoop)
      meta.harness = assessHarness({
        clientTimeoutMs: scenario.load.timeout,
        eventLoop,
        records,
        journal,
        loadStartedAt: meta.loadStartedAt,
        upstreamTimingError: worstTimingError(upstreams.map((u) => u.timingError())),
        processes: connection?.processes?.() ?? null,
        warmup,
      })
    await Promise.all(upstreams.map((u) => u.close()))
    meta.counts = {
      requests: records.length,
      attempts: journal.length,
      openAttempts: journal.filter((e) => e.endedBy === 'open').length,
      notSent: records.filter((r) => r.outcome === 'not-sent').length,
      byOutcome: countBy(records, (r) => r.outcome),
      journalDropped: upstreams.reduce((s, u) => s + u.journal.dropped, 0),
      neverReachedUpstream: neverReached(records, journal),
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

/** The upstreams' timing error as one figure: the worst p99 and max of any of them, their counts summed. */
function worstTimingError(all: LagStats[]): LagStats {
  return all.reduce(
    (w, t) => ({ count: w.count + t.count, p99Ms: Math.max(w.p99Ms, t.p99Ms), maxMs: Math.max(w.maxMs, t.maxMs) }),
    { ...NO_LAG },
  )
}
