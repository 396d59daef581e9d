import type { CommandModule } from 'yargs'
import { issueLines } from '../config/problems.js'
import { BrownoutError, ExitCode } from '../errors.js'
import { percentile } from '../grade/threshold.js'
import type { ClientRecord } from '../load/record.js'
import { runAndGrade } from '../pipeline/pipeline.js'
import type { SutMode } from '../run/sut-mode.js'
import { type Scenario, scenarioSchema } from '../scenario/schema.js'
import { loadSutProfile } from '../sut/profile.js'
import { info, printError } from './output.js'
import { checkUpstreamNames, portFor, upstreamPortOption, upstreamPortsFrom } from './upstream-ports.js'

interface BenchArgs {
  target: string | undefined
  sut: string | undefined
  seconds: number
  concurrency: number
  stream: boolean
  'upstream-port': string[] | undefined
}

interface Figures {
  rps: number
  p50: number
  p99: number
  ttft50: number
  ttft99: number
  errors: number
}

function figures(records: ClientRecord[], seconds: number): Figures {
  const ok = records.filter((r) => r.outcome === 'ok')
  const lat = ok.map((r) => r.latencyMs)
  const ttft = ok.map((r) => r.ttftMs ?? 0)
  return {
    rps: ok.length / seconds,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    ttft50: percentile(ttft, 50),
    ttft99: percentile(ttft, 99),
    errors: records.length - ok.length,
  }
}

/** Where each flag of bench lands in the scenario it builds: a problem there is named by its flag. */
const FLAG_OF: Record<string, string> = {
  'upstreams.primary.port': '--upstream-port',
  'phases.0.duration': '--seconds',
  'load.concurrency': '--concurrency',
}

/**
 * The bench's scenario: one upstream, one phase of `--seconds`, a closed model of `--concurrency` clients. What the
 * flags make invalid is a usage error naming the flag (zod's own text never reaches the user).
 */
function benchScenario(args: BenchArgs): Scenario {
  if (!(args.seconds > 0))
    throw new BrownoutError('INVALID_USAGE', `--seconds ${args.seconds}: expected a length above 0`, {
      hint: 'e.g. --seconds 5',
    })
  const ports = upstreamPortsFrom(args['upstream-port'])
  checkUpstreamNames(ports, new Set(['primary']), 'bench')
  const parsed = scenarioSchema.safeParse({
    name: 'bench',
    upstreams: {
      primary: {
        port: portFor(ports, 'primary', ['primary'], 'bench') ?? 0,
        latency: { ttft: '10ms', itl: '1ms' },
      },
    },
    phases: [{ name: 'bench', duration: args.seconds * 1000 }],
    load: {
      request: { api: 'openai.chat', stream: args.stream, max_tokens: 32 },
      concurrency: args.concurrency,
      timeout: 30_000,
    },
  })
  if (parsed.success) return parsed.data
  const problems = issueLines(
    parsed.error.issues.map((i) => ({ ...i, path: [FLAG_OF[i.path.join('.')] ?? i.path.join('.')] })),
  )
  throw new BrownoutError('INVALID_USAGE', 'bench: these flags do not make a valid run', {
    problems,
    hint: 'see brownout bench --help',
  })
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: "A gateway's throughput and added latency against going direct to the upstream, measured in one run",
  builder: (y) =>
    y
      .option('target', {
        type: 'string',
        describe: 'a running gateway that forwards to the upstream on --upstream-port',
      })
      .option('sut', {
        type: 'string',
        describe: 'a SUT profile (its {{upstreams.primary.url}} is the bench upstream)',
      })
      .option('upstream-port', {
        ...upstreamPortOption['upstream-port'],
        describe:
          'port of the bench upstream ("primary"): PORT or primary=PORT as in run; with --target, where your gateway forwards',
      })
      .option('seconds', { type: 'number', default: 5, describe: 'length of each measurement' })
      .option('concurrency', { type: 'number', default: 32, describe: 'closed-model clients' })
      .option('stream', { type: 'boolean', default: false, describe: 'streaming requests (TTFT matters)' })
      .example('$0 bench --sut examples/gateways/resilient.sut.yaml', 'the reference gateway vs direct'),
  handler: async (args) => {
    try {
      const scenario = benchScenario(args)
      const modes: Array<[string, SutMode]> = [['direct', { mode: 'direct' }]]
      if (args.sut !== undefined)
        modes.push(['via SUT', { mode: 'sut', file: args.sut, profile: loadSutProfile(args.sut, ['primary']) }])
      else if (args.target !== undefined) modes.push(['via target', { mode: 'target', url: args.target }])
      const rows: Array<[string, Figures]> = []
      for (const [label, sut] of modes) {
        const { data } = await runAndGrade({ scenario, sut })
        if (data.error) throw data.error
        rows.push([label, figures(data.records, args.seconds)])
      }
      const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—')
      // A difference keeps its sign: within noise the gateway can come out faster than direct.
      const signed = (n: number) => (Number.isFinite(n) && n >= 0 ? `+${fmt(n)}` : fmt(n))
      info(
        `${'path'.padEnd(12)}${'req/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'TTFT p50'.padStart(10)}${'TTFT p99'.padStart(10)}${'errors'.padStart(8)}`,
      )
      for (const [label, f] of rows) {
        info(
          `${label.padEnd(12)}${fmt(f.rps).padStart(10)}${fmt(f.p50).padStart(10)}${fmt(f.p99).padStart(10)}${fmt(f.ttft50).padStart(10)}${fmt(f.ttft99).padStart(10)}${String(f.errors).padStart(8)}`,
        )
      }
      const [direct, via] = [rows[0]?.[1], rows[1]?.[1]]
      if (direct && via) {
        info(
          `added latency: p50 ${signed(via.p50 - direct.p50)} ms, p99 ${signed(via.p99 - direct.p99)} ms; throughput ${fmt((via.rps / direct.rps) * 100)} % of direct`,
        )
      }
      process.exitCode = ExitCode.ok
    } catch (err) {
      process.exitCode = printError(err)
    }
  },
}
