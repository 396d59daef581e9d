import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { systemClock } from '../clock.js'
import { requestIdPrefix, runIdFor } from '../load/driver.js'
import { Compactor } from '../record/compact.js'
import { expectedTextFor } from '../record/expected-text.js'
import { RUN_SCHEMA_VERSION, type RunMeta } from '../record/meta.js'
import type { RunResult } from '../record/run-data.js'
import { phaseWindows, totalDurationMs } from '../scenario/load.js'
import { SutStartError } from '../sut/process.js'
import type { RunningUpstream } from '../upstream/server.js'
import { VERSION } from '../version.js'
import { collect } from './collect.js'
import { connectSut, startUpstreams } from './connect.js'
import { drive, warmUpThenRecord } from './drive.js'
import { checkExternal, externalAddress, type UpstreamAddress } from './external.js'
import { JsonLines, prepareOutDir } from './files.js'
import { probeAlive, settle } from './settle.js'
import type { RunOptions, RunState } from './state.js'

export type { RunOptions } from './state.js'

/**
 * Runs one scenario: starts its fake upstreams, connects the SUT (starts it, or a target, or direct), warms up,
 * drives the load, lets the upstreams settle, and collects the record of both sides. Always cleans up: every
 * upstream closed, the SUT's process group stopped. A SUT that does not start, crashes, or an interrupt (the
 * `signal`) does not throw: the result carries the `error` and a record marked incomplete.
 *
 * @example const run = await runScenario({ scenario, sut: { mode: 'direct' } }); const result = grade(run)
 */
export async function runScenario(opts: RunOptions): Promise<RunResult> {
  const run = await prepare(opts)
  const unsubscribes: Array<() => void> = []
  try {
    if (await connect(run)) {
      unsubscribes.push(...(await warmUpThenRecord(run)))
      const outcome = await drive(run)
      await settle(run, unsubscribes)
      if (outcome === 'done') await probeAlive(run)
      run.finished = true
    }
  } finally {
    for (const off of unsubscribes) off()
    await collect(run)
  }
  const { meta, scenario, records, journal, error } = run
  return error ? { meta, scenario, records, journal, error } : { meta, scenario, records, journal }
}

/** The run's state before anything is connected: its out folder checked, its upstreams listening, its meta begun. */
async function prepare(opts: RunOptions): Promise<RunState> {
  const { scenario } = opts
  const clock = opts.clock ?? systemClock
  const outDir = opts.outDir ? prepareOutDir(opts.outDir) : undefined
  if (outDir) rmSync(join(outDir, '.brownout-write-test'), { force: true })
  const external = opts.external?.urls ?? {}
  const runId = runIdFor(scenario.name, scenario.seed)
  if (opts.external) await checkExternal(opts.external, { runId, seed: scenario.seed, segment: opts.segment })
  const upstreams = await startUpstreams(scenario, clock, {
    ...(opts.upstreamWorkers ? { workers: opts.upstreamWorkers } : {}),
    external: new Set(Object.keys(external)),
  })
  const addresses = Object.keys(scenario.upstreams).map((name): UpstreamAddress => {
    const url = external[name]
    if (url !== undefined) return externalAddress(scenario, name, url)
    const u = upstreams.find((s) => s.name === name) as RunningUpstream
    return { name, url: u.url, port: u.port, provider: u.config.provider }
  })
  return {
    opts,
    scenario,
    clock,
    outDir,
    meta: initialMeta(opts, runId, addresses),
    records: [],
    journal: [],
    compact: new Compactor(expectedTextFor(scenario), requestIdPrefix(runId)),
    upstreams,
    addresses,
    files: {
      requests: outDir ? new JsonLines(join(outDir, 'requests.jsonl')) : undefined,
      journal: outDir ? new JsonLines(join(outDir, 'journal.jsonl')) : undefined,
    },
    connection: undefined,
    dispatcher: undefined,
    monitor: undefined,
    warmup: null,
    error: undefined,
    stopReason: null,
    finished: false,
  }
}

function initialMeta(opts: RunOptions, runId: string, addresses: UpstreamAddress[]): RunMeta {
  const { scenario } = opts
  return {
    schema: `brownout.run/${RUN_SCHEMA_VERSION}`,
    schemaVersion: RUN_SCHEMA_VERSION,
    brownout: VERSION,
    node: process.version,
    scenario: { name: scenario.name, description: scenario.description, file: opts.scenarioFile ?? null },
    seed: scenario.seed,
    runId,
    loadStartedAt: 0,
    durationMs: totalDurationMs(scenario),
    phases: phaseWindows(scenario),
    sut: { mode: opts.sut.mode, url: '' },
    upstreams: Object.fromEntries(
      addresses.map((u) => [
        u.name,
        { url: u.url, port: u.port, provider: u.provider, ...(u.external ? { external: true as const } : {}) },
      ]),
    ),
    counts: { requests: 0, attempts: 0, openAttempts: 0, notSent: 0, byOutcome: {}, journalDropped: 0 },
    complete: false,
    stopReason: null,
    ...(opts.segment ? { segment: opts.segment } : {}),
  }
}

/**
 * Connects the load to the SUT. A SUT that does not start is this run's failure, recorded (a suite goes on with
 * the next scenario): returns false, with `run.error` set.
 */
async function connect(run: RunState): Promise<boolean> {
  const { outDir, meta, opts } = run
  const logFile = outDir ? join(outDir, 'sut.log') : join(tmpdir(), `brownout-sut-${process.pid}-${meta.runId}.log`)
  try {
    run.connection = await connectSut(opts.sut, run.addresses, logFile, meta.sut, {
      limits: run.scenario.sut_limits,
      client: run.scenario.client,
    })
    return true
  } catch (err) {
    if (!(err instanceof SutStartError)) throw err
    meta.sut.failure = err.failure
    run.error = err
    return false
  }
}
