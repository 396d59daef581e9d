import type { CommandModule } from 'yargs'
import { ExitCode } from '../errors.js'
import { percentile } from '../grade/threshold.js'
import type { ClientRecord } from '../load/record.js'
import { runScenario, type SutMode } from '../run/run.js'
import { scenarioSchema } from '../scenario/schema.js'
import { loadSutProfile } from '../sut/profile.js'
import { info, printError } from './output.js'

interface BenchArgs {
  target: string | undefined
  sut: string | undefined
  seconds: number
  concurrency: number
  stream: boolean
  'upstream-port': number
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
        type: 'number',
        default: 0,
        describe: 'port of the bench upstream (for --target: where your gateway forwards)',
      })
      .option('seconds', { type: 'number', default: 5, describe: 'length of each measurement' })
      .option('concurrency', { type: 'number', default: 32, describe: 'closed-model clients' })
      .option('stream', { type: 'boolean', default: false, describe: 'streaming requests (TTFT matters)' })
      .example('$0 bench --sut examples/gateways/resilient.sut.yaml', 'the reference gateway vs direct'),
  handler: async (args) => {
    try {
      const scenario = scenarioSchema.parse({
        name: 'bench',
        upstreams: { primary: { port: args['upstream-port'], latency: { ttft: '10ms', itl: '1ms' } } },
        phases: [{ name: 'bench', duration: args.seconds * 1000 }],
        load: {
          request: { api: 'openai.chat', stream: args.stream, max_tokens: 32 },
          concurrency: args.concurrency,
          timeout: 30_000,
        },
      })
      const modes: Array<[string, SutMode]> = [['direct', { mode: 'direct' }]]
      if (args.sut !== undefined)
        modes.push(['via SUT', { mode: 'sut', file: args.sut, profile: loadSutProfile(args.sut, ['primary']) }])
      else if (args.target !== undefined) modes.push(['via target', { mode: 'target', url: args.target }])
      const rows: Array<[string, Figures]> = []
      for (const [label, sut] of modes) {
        const run = await runScenario({ scenario, sut })
        if (run.error) throw run.error
        rows.push([label, figures(run.records, args.seconds)])
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
