import { availableParallelism } from 'node:os'
import type { CommandModule } from 'yargs'
import { FAMILY_IDS, type FamilyId } from '../dialects/families.js'
import { BrownoutError } from '../errors.js'
import { loadScenario } from '../pipeline/load-scenario.js'
import type { PhaseWindow } from '../record/phase.js'
import { clusterSize, startCluster } from '../upstream/cluster/start-cluster.js'
import type { UpstreamConfig, UpstreamConfigInput } from '../upstream/config.js'
import { loadUpstreamConfig } from '../upstream/load-config.js'
import { scenarioUpstream } from '../upstream/scenario-upstream.js'
import { type StartUpstreamOptions, startUpstream } from '../upstream/server.js'
import { fail, info, warn } from './output.js'
import { type StateArgs, stateFromArgs, stateOptions } from './state-option.js'

interface ServeArgs extends StateArgs {
  config: string | undefined
  scenario: string | undefined
  upstream: string | undefined
  host: string | undefined
  port: number | undefined
  seed: number | undefined
  provider: FamilyId | undefined
  'header-faults': boolean
  'admin-token': string | undefined
  workers: string
}

const LOOPBACK = /^(127\.|localhost$|::1$|\[::1\]$)/

/** What serve prints once it serves (the URL once, whatever the number of workers). */
function banner(url: string, config: UpstreamConfig, who: Identity, pids: number[]): void {
  info(`brownout upstream listening on ${url}`)
  if (who.scenario) info(`  upstream:  ${who.name} of ${who.scenario} (seed ${who.seed})`)
  info(`  OpenAI:    baseURL ${url}/v1`)
  info(`  Anthropic: baseURL ${url}`)
  info(`  control:   ${url}/_brownout/ (journal, faults, state, metrics, reset)`)
  const rules = config.faults.length
  if (rules > 0) info(`  faults:    ${rules} rule${rules === 1 ? '' : 's'} from ${who.from}`)
  if (config.header_faults) info('  x-brownout-fault request headers are honoured')
  if (pids.length > 1)
    info(`  workers:   ${pids.length} processes on one port, one shared state (pids ${pids.join(' ')})`)
  info('Press Ctrl-C to stop.')
}

/** Which upstream is served: its name, seed and phases (a scenario's, with --scenario), and where its rules came from. */
interface Identity {
  name: string
  seed: number
  phases?: PhaseWindow[]
  from: string | undefined
  /** The scenario file whose upstream this is (--scenario). */
  scenario?: string | undefined
}

async function serveOne(
  options: UpstreamConfigInput,
  who: Identity,
  stopped: Promise<string>,
  shared: ReturnType<typeof stateFromArgs>,
): Promise<void> {
  const state = shared ? { state: shared.factory } : {}
  const phases = who.phases ? { phases: who.phases } : {}
  const upstream = await startUpstream({ ...options, ...state, ...phases, seed: who.seed, name: who.name }).catch(fail)
  banner(upstream.url, upstream.config, who, [process.pid])
  if (shared) info(`  state:     ${shared.describe}`)
  const signal = await stopped
  info(`\n${signal}: closing (${upstream.journal.total} requests served)`)
  await upstream.close()
}

/** `--workers N`: the primary (this process) holds the shared state; a worker that dies stops them all (exit 3). */
async function serveCluster(
  options: UpstreamConfigInput,
  who: Identity,
  workers: number,
  stopped: Promise<string>,
): Promise<void> {
  const phases = who.phases ? { phases: who.phases } : {}
  const running = await startCluster({ workers, upstream: options, ...phases, seed: who.seed, name: who.name }).catch(
    fail,
  )
  banner(running.url, running.config, who, running.pids)
  const signal = await Promise.race([stopped, running.died]).catch(fail)
  const served = await running.served().catch(() => undefined)
  info(`\n${signal}: closing${served === undefined ? '' : ` (${served} requests served)`}`)
  await running.stop()
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Run a fake OpenAI- and Anthropic-compatible upstream (with faults) until Ctrl-C',
  builder: (y) =>
    y
      .option('config', {
        type: 'string',
        describe: "YAML upstream block: latency, capacity, limits, faults (as a scenario's upstreams.<name>)",
      })
      .option('scenario', {
        type: 'string',
        conflicts: 'config',
        describe: "serve one upstream of a scenario: its block, the scenario's seed and phases (for `during` rules)",
      })
      .option('upstream', {
        type: 'string',
        describe: "with --scenario: which of the scenario's upstreams (may be left out when it has one)",
      })
      .option('host', { type: 'string', describe: 'Interface to bind [default: 127.0.0.1]' })
      .option('port', { type: 'number', describe: 'Port to listen on, 0 for a free one [default: 8080]' })
      .option('seed', {
        type: 'number',
        describe: "Seed for content, timing and faults [default: the scenario's with --scenario, else 1]",
      })
      .option('provider', {
        choices: FAMILY_IDS,
        describe: 'Error shape for paths no API owns, when the request headers do not say [default: openai]',
      })
      .option('admin-token', {
        type: 'string',
        describe: 'require `authorization: Bearer <token>` on /_brownout/* (or env BROWNOUT_ADMIN_TOKEN)',
      })
      .option('workers', {
        type: 'string',
        default: '1',
        describe:
          'Processes serving the upstream on one port, with one shared state (attempts, buckets, capacity, rules, journal): a number, or auto (one per core)',
      })
      .option('header-faults', {
        type: 'boolean',
        default: false,
        describe: 'Accept faults from the x-brownout-fault request header',
      })
      .options(stateOptions)
      .example('$0 serve', 'OpenAI at http://127.0.0.1:8080/v1, Anthropic at http://127.0.0.1:8080')
      .example('$0 serve --config upstream.yaml', 'with latency, limits and fault rules from a file')
      .example('$0 serve --port 0 --seed 7', 'a free port, another seed')
      .example('$0 serve --scenario s.yaml --upstream primary', "a scenario's upstream, for `run --upstream-url`")
      .example('$0 serve --workers auto', 'one worker per core, one upstream')
      .example(
        '$0 serve --state redis://10.0.0.5:6379 --run-id nightly',
        'one of many replicas acting as one upstream',
      ),
  handler: async (args) => {
    // Signal handlers go in before the URL is printed: whoever reads the URL may signal at once.
    const stopped = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'))
      process.once('SIGTERM', () => resolve('SIGTERM'))
    })
    const options: UpstreamConfigInput = {}
    let portGiven = false
    if (args.config !== undefined) {
      const loaded = (() => {
        try {
          return loadUpstreamConfig(args.config as string)
        } catch (err) {
          return fail(err)
        }
      })()
      Object.assign(options, loaded.config)
      portGiven = loaded.portGiven
    }
    // --scenario FILE --upstream NAME: the block, name, seed and phases of one of a scenario's upstreams.
    const served = servedUpstream(args.scenario, args.upstream)
    if (served) {
      const { name: _n, seed: _s, phases: _p, ...block } = served
      Object.assign(options, block)
      portGiven = block.port !== undefined && block.port !== 0
    }
    if (args.host !== undefined) options.host = args.host
    options.port = args.port ?? (portGiven ? options.port : 8080)
    if (args.provider !== undefined) options.provider = args.provider
    if (args['header-faults']) options.header_faults = true
    const token = args['admin-token'] ?? process.env.BROWNOUT_ADMIN_TOKEN
    if (token !== undefined) options.admin_token = token
    const host = options.host ?? '127.0.0.1'
    if (!LOOPBACK.test(host)) {
      const admin = options.admin_token ? '' : ' and its admin API (set --admin-token)'
      warn(`binding ${host}: anyone who can reach this address can use the upstream${admin}`)
    }
    const shared = (() => {
      try {
        return stateFromArgs(args)
      } catch (err) {
        return fail(err)
      }
    })()
    const workers = (() => {
      try {
        return clusterSize(args.workers, availableParallelism())
      } catch (err) {
        return fail(err)
      }
    })()
    if (workers > 1 && shared) {
      fail(
        new BrownoutError('INVALID_USAGE', '--workers and --state together are not supported yet', {
          hint: 'on one machine use --workers (the primary holds the state); across machines run one serve --state per core',
        }),
      )
    }
    const who: Identity = {
      seed: args.seed ?? served?.seed ?? 1,
      name: served?.name ?? 'serve',
      from: args.config ?? args.scenario,
      ...(served ? { scenario: args.scenario } : {}),
      ...(served?.phases ? { phases: served.phases } : {}),
    }
    if (workers === 1) await serveOne(options, who, stopped, shared)
    else await serveCluster(options, who, workers, stopped)
  },
}

/** `--scenario FILE [--upstream NAME]`: that upstream's options (none without --scenario), or a clear error and exit. */
function servedUpstream(file: string | undefined, name: string | undefined): StartUpstreamOptions | undefined {
  try {
    if (file === undefined && name !== undefined)
      throw new BrownoutError(
        'INVALID_USAGE',
        `--upstream ${name}: names an upstream of a scenario, and no --scenario was given`,
        {
          hint: `brownout serve --scenario FILE --upstream ${name}`,
        },
      )
    return file === undefined ? undefined : scenarioUpstream(loadScenario(file), name, file)
  } catch (err) {
    return fail(err)
  }
}
