import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CommandModule } from 'yargs'
import { BrownoutError, ExitCode } from '../errors.js'
import type { GradeResult } from '../grade/grade.js'
import { loadScenario } from '../pipeline/load-scenario.js'
import { exitCodeOf, type GradedRun, runAndGrade } from '../pipeline/pipeline.js'
import { sutFailureLines, sutFailureShort } from '../report/format.js'
import {
  buildScorecard,
  failing,
  renderScorecardConsole,
  renderScorecardHtml,
  renderScorecardMarkdown,
  unproved,
} from '../report/scorecard.js'
import { prepareOutDir } from '../run/files.js'
import type { SutMode } from '../run/sut-mode.js'
import { scaleScenario } from '../scenario/load.js'
import { loadSutProfile } from '../sut/profile.js'
import { keepHeapNearLive } from './heap.js'
import { info, interruptSignal, printError } from './output.js'
import { capOptions, capsFrom, checkCaps, fastOption } from './run.js'
import { checkUpstreamNames, pinUpstreamPorts, upstreamPortOption, upstreamPortsFrom } from './upstream-ports.js'

export const CATALOGUE_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url))
export const REFERENCE_SUTS = ['naive', 'resilient'].map((n) =>
  fileURLToPath(new URL(`../../examples/gateways/${n}.sut.yaml`, import.meta.url)),
)

interface SuiteArgs {
  target: string | undefined
  sut: string[] | undefined
  out: string | undefined
  fast: number | undefined
  only: string[] | undefined
  'exit-zero': boolean
  'max-rate': number
  'max-concurrency': number
  'max-duration': number
  'upstream-port': string[] | undefined
}

function catalogue(only: string[] | undefined): string[] {
  const files = readdirSync(CATALOGUE_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
  // `--only a,b` and `--only a --only b` alike (a repeated flag is how users write it).
  const parts = (only ?? [])
    .flatMap((o) => String(o).split(','))
    .map((o) => o.trim())
    .filter(Boolean)
  const chosen = parts.length > 0 ? files.filter((f) => parts.some((o) => f.replace(/\.yaml$/, '').includes(o))) : files
  if (chosen.length === 0)
    throw new BrownoutError('INVALID_USAGE', `--only ${parts.join(',')} matches no scenario`, {
      hint: 'see `brownout list scenarios`',
    })
  return chosen.map((f) => join(CATALOGUE_DIR, f))
}

function sutModes(args: SuiteArgs, upstreamNames: string[]): Array<{ label: string; mode: SutMode }> {
  if (args.target !== undefined) return [{ label: args.target, mode: { mode: 'target', url: args.target } }]
  const files = args.sut && args.sut.length > 0 ? args.sut : REFERENCE_SUTS
  return files.map((file) => {
    const profile = loadSutProfile(file, upstreamNames)
    return { label: profile.name, mode: { mode: 'sut', file, profile } }
  })
}

/** A scenario's verdict for the progress line: pass, the SUT's failure, or the failed and unevidenced checks. */
function verdictText(g: GradeResult): string {
  if (g.passed) return 'pass'
  const crash = sutFailureShort(g)
  const failed = failing(g)
  const none = unproved(g)
  const parts = [
    ...(crash ? [crash] : []),
    ...(failed.length > 0 ? [failed.join(', ')] : []),
    ...(none.length > 0 ? [`no evidence: ${none.join(', ')}`] : []),
  ]
  return `FAIL (${parts.join('; ') || 'run incomplete'})`
}

export const suiteCommand: CommandModule<object, SuiteArgs> = {
  command: 'suite',
  describe:
    'Run the scenario catalogue against one or more SUTs and print a resilience scorecard (default: the two reference gateways)',
  builder: (y) =>
    y
      .option('target', {
        type: 'string',
        describe: 'a running gateway, forwarding to the upstream ports given with --upstream-port',
      })
      .option('sut', { type: 'string', array: true, describe: 'SUT profile(s); several give side-by-side columns' })
      .option('out', {
        type: 'string',
        describe: 'folder for the scorecard (scorecard.md, scorecard.html) and every run',
      })
      .options(fastOption)
      .option('exit-zero', {
        type: 'boolean',
        default: false,
        describe: 'exit 0 when the suite ran, even if scenarios failed (a demo, not a gate)',
      })
      .option('only', {
        type: 'string',
        array: true,
        describe: 'parts of scenario names to run: comma-separated, or the flag repeated',
      })
      .options(capOptions)
      .options(upstreamPortOption)
      .example('$0 suite', 'the catalogue against the naive and the resilient reference gateways')
      .example('$0 suite --sut my-gateway.sut.yaml --out scorecard', 'your gateway, with reports')
      .example(
        '$0 suite --target http://127.0.0.1:4000 --upstream-port primary=9101 --upstream-port fallback=9102',
        'a gateway you run yourself, configured to forward to those ports',
      ),
  handler: async (args) => {
    keepHeapNearLive()
    const interrupt = interruptSignal()
    let exit: number = ExitCode.ok
    try {
      // Every scenario is read once, up front: a bad one stops the suite before anything runs.
      const loaded = catalogue(args.only).map((file) => ({ file, scenario: loadScenario(file) }))
      const ports = upstreamPortsFrom(args['upstream-port'])
      const names = new Set(loaded.flatMap(({ scenario }) => Object.keys(scenario.upstreams)))
      checkUpstreamNames(ports, names, 'the chosen catalogue')
      const chosen = loaded.map(({ file, scenario }) => ({
        file,
        pinned: pinUpstreamPorts(scenario, ports, args.target !== undefined, file),
      }))
      const out = args.out === undefined ? undefined : prepareOutDir(args.out)
      let labels: string[] = []
      const columns: GradedRun[][] = []
      for (const { file, pinned } of chosen) {
        let scenario = pinned
        if (args.fast !== undefined) scenario = scaleScenario(scenario, args.fast)
        checkCaps(scenario, capsFrom(args), file)
        const suts = sutModes(args, Object.keys(scenario.upstreams))
        labels = suts.map((s) => s.label)
        // The SUTs of one scenario run side by side: each has its own upstreams on free ports.
        const graded = await Promise.all(
          suts.map(async (sut) => {
            const dir = out ? join(out, scenario.name, sut.label.replace(/[^A-Za-z0-9_.-]+/g, '_')) : undefined
            const run = await runAndGrade({
              scenario,
              scenarioFile: file,
              sut: sut.mode,
              signal: interrupt.signal,
              ...(dir ? { outDir: dir } : {}),
            })
            // A SUT that did not start or crashed fails this scenario only: the next one starts it afresh.
            const { error, meta } = run.data
            if (error && (meta.sut.failure === undefined || interrupt.signal.aborted)) throw error
            return run
          }),
        )
        for (const [i, run] of graded.entries()) columns[i] = [...(columns[i] ?? []), run]
        const results = graded.map((g) => g.result)
        info(`${scenario.name.padEnd(30)} ${results.map((g, i) => `${labels[i]}: ${verdictText(g)}`).join('   ')}`)
        for (const [i, g] of results.entries()) for (const line of sutFailureLines(g)) info(`    ${labels[i]}: ${line}`)
      }
      const card = buildScorecard(
        labels,
        columns.map((c) => c.map((g) => g.result)),
      )
      info(`\n${renderScorecardConsole(card)}`)
      if (out) {
        writeFileSync(join(out, 'scorecard.md'), renderScorecardMarkdown(card))
        writeFileSync(join(out, 'scorecard.html'), renderScorecardHtml(card))
        info(`\nscorecard written to ${join(out, 'scorecard.md')} and scorecard.html`)
      }
      if (!columns.some((c) => c.some((r) => r.result.sut.failure?.when !== 'start'))) {
        throw new BrownoutError('SUT_NOT_READY', 'no scenario could run: the SUT did not start for any of them', {
          hint: 'see the last output above and the sut.log of each run; check the SUT profile',
        })
      }
      if (!args['exit-zero']) exit = exitCodeOf(columns.flat(), { sutFailureIsVerdict: true })
    } catch (err) {
      exit = printError(err)
    } finally {
      interrupt.release()
    }
    process.exitCode = exit
  },
}
