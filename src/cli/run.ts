import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { basename, join } from 'node:path'
import type { CommandModule } from 'yargs'
import { BrownoutError, ExitCode } from '../errors.js'
import { parseSegment, type Segment, segmentLabel } from '../load/segment.js'
import { loadScenario } from '../pipeline/load-scenario.js'
import { exitCodeOf, type GradedRun, runAndGrade } from '../pipeline/pipeline.js'
import { renderConsole, renderSummaryLine } from '../report/console.js'
import { formatCounts } from '../report/format.js'
import { writeReports } from '../report/write.js'
import { reproDir } from '../repro/write.js'
import type { ExternalUpstreams } from '../run/external.js'
import { prepareOutDir } from '../run/files.js'
import { runScenario } from '../run/run.js'
import { checkSegmentable, checkWorkers, sharedStateWarning } from '../run/segments.js'
import type { SutMode } from '../run/sut-mode.js'
import { workerCount } from '../run/workers.js'
import { scaleScenario } from '../scenario/load.js'
import type { Scenario } from '../scenario/schema.js'
import { loadSutProfile } from '../sut/profile.js'
import { clusterSize } from '../upstream/cluster/start-cluster.js'
import { keepHeapNearLive } from './heap.js'
import { info, interruptSignal, printError } from './output.js'
import { checkUpstreamNames, pinUpstreamPorts, upstreamPortOption, upstreamPortsFrom } from './upstream-ports.js'
import { checkUpstreamUrls, upstreamUrlOptions, upstreamUrlsFrom } from './upstream-urls.js'

interface RunArgs {
  scenarios: string[]
  target: string | undefined
  sut: string | undefined
  direct: boolean
  out: string | undefined
  seed: number | undefined
  requests: number | undefined
  fast: number | undefined
  'max-rate': number
  'max-concurrency': number
  'max-duration': number
  'upstream-port': string[] | undefined
  'upstream-url': string[] | undefined
  'admin-token': string | undefined
  segment: string | undefined
  workers: string | undefined
  'upstream-workers': string | undefined
}

export const FAST_FACTOR = 0.2

/**
 * `--fast [factor]`. A string option, not a number: a bare `--fast` followed by another flag must mean the
 * default factor (as a number option it became NaN, and NaN phases sent no request at all).
 */
export const fastOption = {
  fast: {
    type: 'string',
    describe: `shrink every phase by this factor, 0 < factor ≤ 1 (bare --fast: ${FAST_FACTOR})`,
    coerce: (v: unknown): number => {
      if (v === true || v === '') return FAST_FACTOR
      const n = Number(v)
      // yargs passes on only the message of what a coerce throws: the hint goes in it.
      if (!(n > 0 && n <= 1))
        throw new Error(
          `--fast ${String(v)}: expected a factor above 0 and at most 1 (e.g. --fast 0.5; a bare --fast is ${FAST_FACTOR})`,
        )
      return n
    },
  },
} as const

/** Safety caps on the load a scenario may ask for; raise them on purpose with --max-rate and friends. */
export interface LoadCaps {
  maxRate: number
  maxConcurrency: number
  maxDurationMs: number
}

export const DEFAULT_CAPS: LoadCaps = { maxRate: 20_000, maxConcurrency: 5_000, maxDurationMs: 3_600_000 }

/** Refuses a scenario whose load exceeds the caps (a typo like `rate: 100000/s` should not melt the machine). */
export function checkCaps(scenario: Scenario, caps: LoadCaps, file: string): void {
  const rates = [
    scenario.load.rate ?? 0,
    ...(scenario.load.stages ?? []).map((s) => s.rate),
    ...scenario.phases.map((p) => p.rate ?? 0),
  ]
  const duration = scenario.phases.reduce((sum, p) => sum + p.duration, 0)
  const problems: string[] = []
  if (Math.max(...rates) > caps.maxRate)
    problems.push(`rate ${Math.max(...rates)}/s is above --max-rate ${caps.maxRate}/s`)
  if ((scenario.load.concurrency ?? 0) > caps.maxConcurrency)
    problems.push(`concurrency ${scenario.load.concurrency} is above --max-concurrency ${caps.maxConcurrency}`)
  if (duration > caps.maxDurationMs)
    problems.push(`duration ${duration / 1000}s is above --max-duration ${caps.maxDurationMs / 1000}s`)
  if (problems.length > 0) {
    throw new BrownoutError('INVALID_USAGE', `${file} asks for more load than allowed`, {
      problems,
      hint: 'raise the cap on the command line if you mean it',
    })
  }
}

export const capOptions = {
  'max-rate': {
    type: 'number',
    default: DEFAULT_CAPS.maxRate,
    describe: 'refuse scenarios above this arrival rate (req/s)',
  },
  'max-concurrency': {
    type: 'number',
    default: DEFAULT_CAPS.maxConcurrency,
    describe: 'refuse closed-model scenarios above this many clients',
  },
  'max-duration': {
    type: 'number',
    default: DEFAULT_CAPS.maxDurationMs / 1000,
    describe: 'refuse scenarios longer than this (seconds)',
  },
} as const

export function capsFrom(args: { 'max-rate': number; 'max-concurrency': number; 'max-duration': number }): LoadCaps {
  return {
    maxRate: args['max-rate'],
    maxConcurrency: args['max-concurrency'],
    maxDurationMs: args['max-duration'] * 1000,
  }
}

export function sutMode(
  args: { target?: string | undefined; sut?: string | undefined; direct?: boolean },
  scenario: Scenario,
): SutMode {
  const chosen = [args.target !== undefined, args.sut !== undefined, args.direct === true].filter(Boolean).length
  if (chosen !== 1) {
    throw new BrownoutError(
      'INVALID_USAGE',
      'say where the load goes: exactly one of --target URL, --sut FILE or --direct',
      {
        hint: '--direct sends load straight to the fake upstreams (to test a client or brownout itself)',
      },
    )
  }
  if (args.target !== undefined) {
    if (!/^https?:\/\//.test(args.target))
      throw new BrownoutError('INVALID_USAGE', `--target ${args.target} is not an http(s) URL`, {
        hint: 'e.g. --target http://127.0.0.1:4000',
      })
    return { mode: 'target', url: args.target }
  }
  if (args.sut !== undefined)
    return { mode: 'sut', file: args.sut, profile: loadSutProfile(args.sut, Object.keys(scenario.upstreams)) }
  return { mode: 'direct' }
}

function progressLine(p: {
  phase: string
  elapsedMs: number
  durationMs: number
  stats: { sent: number; inFlight: number; notSent: number; byStatus: Record<string, number> }
}): void {
  const statuses = Object.entries(p.stats.byStatus)
    .sort()
    .map(([k, v]) => `${k}:${v}`)
    .join(' ')
  const rate = p.elapsedMs > 0 ? (p.stats.sent / p.elapsedMs) * 1000 : 0
  const line = `[${p.phase}] ${(p.elapsedMs / 1000).toFixed(0)}/${(p.durationMs / 1000).toFixed(0)}s  ${rate.toFixed(1)} req/s  in flight ${p.stats.inFlight}  ${statuses}${p.stats.notSent ? `  not sent ${p.stats.notSent}` : ''}`
  process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 120) - 1)}`)
}

/** `--requests N`: the scenario sends exactly N requests (load.requests). */
export function withRequests(scenario: Scenario, n: number): Scenario {
  if (!(Number.isInteger(n) && n > 0))
    throw new BrownoutError('INVALID_USAGE', `--requests ${n}: expected a whole number above 0`, {
      hint: 'e.g. --requests 1 sends a single request',
    })
  return { ...scenario, load: { ...scenario.load, requests: n } }
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <scenarios..>',
  describe: 'Run scenarios: fake upstreams, the SUT, load, and a record of every attempt',
  builder: (y) =>
    y
      .positional('scenarios', { type: 'string', array: true, demandOption: true, describe: 'scenario YAML files' })
      .option('target', {
        type: 'string',
        describe: "a running gateway, forwarding to the scenario's upstream ports (pin them with --upstream-port)",
      })
      .option('sut', { type: 'string', describe: 'a SUT profile: brownout starts and stops the gateway' })
      .option('direct', { type: 'boolean', default: false, describe: 'no SUT: load goes straight to the upstreams' })
      .option('out', { type: 'string', describe: 'folder for requests.jsonl, journal.jsonl, run.json, sut.log' })
      .option('seed', { type: 'number', describe: "override the scenario's seed" })
      .option('requests', {
        type: 'number',
        describe: 'send exactly N requests (load.requests), e.g. --requests 1 for a single-request run',
      })
      .options(fastOption)
      .options(capOptions)
      .options(upstreamPortOption)
      .options(upstreamUrlOptions)
      .option('segment', {
        type: 'string',
        describe:
          'send only segment K of N of the arrival schedule (K/N): its records go to --out, ungraded, for `brownout merge`',
      })
      .option('workers', {
        type: 'string',
        describe:
          'send the load from N worker processes (or auto: one per core but one); the upstreams stay in this one',
      })
      .option('upstream-workers', {
        type: 'string',
        describe:
          'serve the fake upstreams from N cluster worker processes (or auto: one per core), one shared state kept in this one',
      })
      .example('$0 run scenarios/baseline.yaml --direct', 'the upstream alone')
      .example(
        '$0 run scenarios/transient-503.yaml --sut examples/gateways/resilient.sut.yaml --out runs/x',
        'a gateway, with records',
      ),
  handler: async (args) => {
    keepHeapNearLive()
    const interrupt = interruptSignal()
    let exit: number = ExitCode.ok
    const all: GradedRun[] = []
    try {
      const ports = upstreamPortsFrom(args['upstream-port'])
      const external = upstreamUrlsFrom(args['upstream-url'], args['admin-token'])
      const workers = args.workers === undefined ? 1 : workerCount(args.workers, availableParallelism())
      const upstreamWorkers =
        args['upstream-workers'] === undefined ? 1 : clusterSize(args['upstream-workers'], availableParallelism())
      if (args.segment !== undefined) {
        if (workers > 1)
          throw new BrownoutError('INVALID_USAGE', '--segment and --workers do not go together', {
            hint: 'split the run either into segments (merged later) or over local workers',
          })
        exit = await runSegment(args, parseSegment(args.segment), ports, external, interrupt.signal)
        return
      }
      for (const file of args.scenarios) {
        const scenario = prepareScenario(file, args, ports, external)
        const sut = sutMode(args, scenario)
        checkWorkers(scenario, workers, sut.mode === 'sut' && sut.profile.kind === 'client', file)
        const outDir =
          args.out === undefined
            ? undefined
            : args.scenarios.length > 1
              ? join(args.out, basename(file).replace(/\.ya?ml$/, ''))
              : args.out
        const tty = process.stderr.isTTY && !process.env.CI
        info(`▶ ${scenario.name} (seed ${scenario.seed}${args.fast !== undefined ? `, --fast ${args.fast}` : ''})`)
        const graded = await runAndGrade({
          scenario,
          scenarioFile: file,
          sut,
          signal: interrupt.signal,
          workers,
          ...(upstreamWorkers > 1 ? { upstreamWorkers } : {}),
          ...(external ? { external } : {}),
          ...(outDir ? { outDir } : {}),
          ...(tty ? { onProgress: progressLine } : {}),
        })
        if (tty) process.stderr.write('\r\x1b[2K')
        all.push(graded)
        const { data, result } = graded
        // A SUT that never started has no load to show: its error (below) says it all.
        if (data.meta.sut.failure?.when !== 'start') {
          info(`  ${formatCounts(result.counts)}${outDir ? `; records in ${outDir}` : ''}`)
          info(renderConsole(result))
          const repro = outDir ? reproDir(outDir, scenario.name) : undefined
          if (repro && existsSync(repro))
            info(`  repro bundles of the failing checks in ${repro}/ (brownout run <bundle>/scenario.yaml replays one)`)
        }
        if (data.error) {
          printError(data.error)
          break
        }
      }
      exit = exitCodeOf(all)
      if (all.length > 1) {
        info(renderSummaryLine(all.map((g) => g.result)))
        if (args.out !== undefined) writeReports(prepareOutDir(args.out), all)
      }
    } catch (err) {
      exit = printError(err)
    } finally {
      interrupt.release()
      process.exitCode = exit
    }
  },
}

/** A scenario file as this command runs it: read, its upstream ports pinned, the seed, --fast, --requests and the caps applied. */
function prepareScenario(
  file: string,
  args: RunArgs,
  ports: ReturnType<typeof upstreamPortsFrom>,
  external: ExternalUpstreams | undefined,
): Scenario {
  const loaded = loadScenario(file)
  checkUpstreamUrls(external, loaded, ports, file)
  const elsewhere = new Set(Object.keys(external?.urls ?? {}))
  let scenario = pinUpstreamPorts(loaded, ports, args.target !== undefined, file, elsewhere)
  checkUpstreamNames(ports, new Set(Object.keys(scenario.upstreams)), file)
  if (args.seed !== undefined) scenario = { ...scenario, seed: args.seed }
  if (args.fast !== undefined) scenario = scaleScenario(scenario, args.fast)
  if (args.requests !== undefined) scenario = withRequests(scenario, args.requests)
  checkCaps(scenario, capsFrom(args), file)
  return scenario
}

/**
 * `run --segment K/N --out DIR`: sends one execution segment of one scenario's schedule and keeps its record,
 * ungraded (a segment's checks are not a verdict: `brownout merge` joins the segments and grades the whole run).
 * Exits 0 when the segment ran to its end, with the run's error code otherwise.
 */
async function runSegment(
  args: RunArgs,
  segment: Segment,
  ports: ReturnType<typeof upstreamPortsFrom>,
  external: ExternalUpstreams | undefined,
  signal: AbortSignal,
): Promise<number> {
  const [file, ...more] = args.scenarios
  if (file === undefined || more.length > 0 || args.out === undefined)
    throw new BrownoutError('INVALID_USAGE', '--segment runs one scenario and needs --out', {
      hint: 'brownout run SCENARIO.yaml --segment 3/8 --out seg-3 ..., then brownout merge seg-* --out run',
    })
  const scenario = prepareScenario(file, args, ports, external)
  checkSegmentable(scenario, segment, file)
  const sut = sutMode(args, scenario)
  info(`▶ ${scenario.name} (seed ${scenario.seed}), segment ${segmentLabel(segment)}`)
  const warning =
    segment.count > 1 ? sharedStateWarning(scenario, new Set(Object.keys(external?.urls ?? {}))) : undefined
  if (warning) info(`  note: ${warning}`)
  const data = await runScenario({
    scenario,
    scenarioFile: file,
    sut,
    signal,
    segment,
    outDir: args.out,
    ...(external ? { external } : {}),
  })
  info(
    `  ${data.meta.counts.requests} requests, ${data.meta.counts.attempts} upstream attempts; records in ${args.out}`,
  )
  info(`  not graded on its own: brownout merge <the ${segment.count} segment folders> --out RUN`)
  if (data.error) return printError(data.error)
  return ExitCode.ok
}
