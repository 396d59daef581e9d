import { BrownoutError } from '../errors.js'
import { loadDispatcher, type RunningLoad, startLoad } from '../load/driver.js'
import type { ClientRecord } from '../load/record.js'
import { arrivalTimes, firstArrivals, phaseSegments, stageSegments } from '../load/schedule.js'
import { tail } from '../sut/process.js'
import { startHarnessMonitor } from './harness-monitor.js'
import type { RunState } from './state.js'
import { warmUp } from './warmup.js'
import { startWorkerLoad } from './workers.js'

/**
 * Warms the request path up, then starts recording: the upstreams are reset (the warm-up leaves no trace) and
 * every attempt they journal from now on joins the run's journal. Returns the unsubscribes.
 */
export async function warmUpThenRecord(run: RunState): Promise<Array<() => void>> {
  const { scenario, opts, upstreams } = run
  // Refusing upstreams held their ports until every port of the run was taken; now nothing listens there.
  await Promise.all(upstreams.map((u) => u.refuse()))
  run.dispatcher = loadDispatcher(scenario.load)
  run.warmup = await warmUp(scenario, opts.sut, run.meta.sut.url, run.dispatcher, run.clock)
  // Every reset is complete (a worker's or Redis's counters too) before the run listens; a failed one fails the run.
  await Promise.all(upstreams.map((u) => u.reset()))
  return upstreams.map((u) => {
    return u.journal.subscribe((entry) => {
      run.files.journal?.write(entry)
      run.journal.push(run.compact.entry(entry))
    })
  })
}

/**
 * Drives the load to the end of its schedule, or until an interrupt or a SUT crash stops it early (then the
 * requests in flight get `drainMs` to end, and `run.error` says why). Returns 'done' or the reason it stopped.
 */
export async function drive(run: RunState): Promise<string> {
  const load = await startScheduledLoad(run)
  run.meta.loadStartedAt = load.startMs
  for (const u of run.upstreams) u.faults.setStart(load.startMs)
  const stopProgress = reportProgress(run, load)
  const stopped = stopSignal(run)
  const outcome = await Promise.race([load.done.then(() => 'done'), stopped.reason])
  stopped.release()
  if (outcome !== 'done') await stopEarly(run, load, outcome, stopped.crash(), stopped.lost())
  stopProgress()
  return outcome
}

function startScheduledLoad(run: RunState): RunningLoad | Promise<RunningLoad> {
  const { scenario, meta, connection } = run
  if (!connection || !run.dispatcher) throw new Error('drive() before connect and warm-up')
  const segments = scenario.load.stages
    ? stageSegments(scenario.load.stages, meta.durationMs)
    : phaseSegments(scenario.phases, scenario.load.rate ?? 10)
  const { requests } = scenario.load
  const schedule =
    scenario.load.concurrency !== undefined
      ? undefined
      : requests !== undefined
        ? firstArrivals(segments, requests)
        : arrivalTimes(segments)
  run.monitor = startHarnessMonitor()
  const { baseUrl, mapping, execute } = connection
  const onRecord = (r: ClientRecord) => {
    // Written whole, kept as the summary grading reads (src/record/compact.ts).
    run.files.requests?.write(r)
    run.records.push(run.compact.record(r))
  }
  const workers = run.opts.workers ?? 1
  if (workers > 1) {
    if (!schedule || execute || !connection.target)
      throw new BrownoutError('INVALID_USAGE', 'load workers send an open-model schedule over HTTP', {
        hint: 'drop --workers for a closed-model load (load.concurrency) or a client-mode profile',
      })
    return startWorkerLoad(
      workers,
      {
        load: scenario.load,
        seed: scenario.seed,
        runId: meta.runId,
        phases: meta.phases,
        durationMs: meta.durationMs,
        schedule,
        target: connection.target,
        mapping,
      },
      run.clock,
      onRecord,
    )
  }
  return startLoad(
    {
      load: scenario.load,
      seed: scenario.seed,
      runId: meta.runId,
      phases: meta.phases,
      durationMs: meta.durationMs,
      baseUrl,
      mapping,
      clock: run.clock,
      dispatcher: run.dispatcher,
      ...(execute ? { execute } : {}),
      ...(run.opts.segment ? { segment: run.opts.segment } : {}),
      onRecord,
    },
    schedule,
  )
}

/** Calls the run's onProgress about once a second; returns the stop. */
function reportProgress(run: RunState, load: RunningLoad): () => void {
  const { onProgress } = run.opts
  if (!onProgress) return () => undefined
  const { phases, durationMs } = run.meta
  const timer = setInterval(() => {
    const elapsedMs = run.clock.now() - load.startMs
    const phase = phases.find((p) => elapsedMs >= p.startMs && elapsedMs < p.endMs)?.name ?? 'draining'
    onProgress({ phase, elapsedMs, durationMs, stats: load.stats })
  }, 1000)
  return () => clearInterval(timer)
}

/** What can stop a run early: the caller's abort signal (Ctrl-C) or the SUT dying. */
function stopSignal(run: RunState): {
  reason: Promise<string>
  release(): void
  crash(): string | undefined
  /** Why an upstream's worker process died, if one did (brownout's failure, not the SUT's). */
  lost(): string | undefined
} {
  const { signal } = run.opts
  let onAbort: (() => void) | undefined
  let crash: string | undefined
  let lost: string | undefined
  const reason = new Promise<string>((resolve) => {
    if (signal?.aborted) resolve('interrupted')
    onAbort = () => resolve('interrupted')
    signal?.addEventListener('abort', onAbort, { once: true })
    void run.connection?.sut?.crashed.then((why) => {
      crash = why
      resolve(`the SUT ${why} during the run`)
    })
    for (const u of run.upstreams)
      void u.crashed?.then((why) => {
        lost = why
        resolve(`brownout's ${why}`)
      })
  })
  return {
    reason,
    release: () => {
      if (onAbort) signal?.removeEventListener('abort', onAbort)
    },
    crash: () => crash,
    lost: () => lost,
  }
}

/** Stops the load, lets what is in flight end (bounded), and records why the run stopped. */
async function stopEarly(
  run: RunState,
  load: RunningLoad,
  outcome: string,
  crash: string | undefined,
  lost: string | undefined,
): Promise<void> {
  run.stopReason = outcome
  load.stop()
  let drainTimer: NodeJS.Timeout | undefined
  await Promise.race([load.done, new Promise((r) => (drainTimer = setTimeout(r, run.opts.drainMs ?? 5000)))])
  clearTimeout(drainTimer)
  const sut = run.connection?.sut
  const last = sut ? tail(sut.logFile) : ''
  if (crash !== undefined) run.meta.sut.failure = { when: 'run', reason: crash, lastOutput: last.split('\n') }
  run.error =
    outcome === 'interrupted'
      ? new BrownoutError('INTERRUPTED', 'run interrupted: load stopped, partial results kept and marked incomplete')
      : lost !== undefined
        ? new BrownoutError('INTERNAL', `${outcome}; partial results kept and marked incomplete`, {
            hint: 'run again, with fewer --upstream-workers if the machine is short of memory',
          })
        : new BrownoutError(
            'SUT_CRASHED',
            `${outcome}; partial results kept and marked incomplete.${sut ? `\nIts last output:\n${last}` : ''}`,
            { hint: sut ? `see ${sut.logFile}` : 'check the SUT' },
          )
}
