import type { CommandModule } from 'yargs'
import { FAMILY_IDS, type FamilyId } from '../dialects/families.js'
import { BrownoutError } from '../errors.js'
import { loadScenario } from '../pipeline/load-scenario.js'
import type { UpstreamConfigInput } from '../upstream/config.js'
import { loadUpstreamConfig } from '../upstream/load-config.js'
import { scenarioUpstream } from '../upstream/scenario-upstream.js'
import { type StartUpstreamOptions, startUpstream } from '../upstream/server.js'
import { fail, info, warn } from './output.js'

interface ServeArgs {
  config: string | undefined
  scenario: string | undefined
  upstream: string | undefined
  host: string | undefined
  port: number | undefined
  seed: number | undefined
  provider: FamilyId | undefined
  'header-faults': boolean
  'admin-token': string | undefined
}

const LOOPBACK = /^(127\.|localhost$|::1$|\[::1\]$)/

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
      .option('header-faults', {
        type: 'boolean',
        default: false,
        describe: 'Accept faults from the x-brownout-fault request header',
      })
      .example('$0 serve', 'OpenAI at http://127.0.0.1:8080/v1, Anthropic at http://127.0.0.1:8080')
      .example('$0 serve --config upstream.yaml', 'with latency, limits and fault rules from a file')
      .example('$0 serve --scenario s.yaml --upstream primary', "a scenario's upstream, for `run --upstream-url`")
      .example('$0 serve --port 0 --seed 7', 'a free port, another seed'),
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
    const upstream = await startUpstream({
      ...options,
      seed: args.seed ?? served?.seed ?? 1,
      name: served?.name ?? 'serve',
      ...(served?.phases ? { phases: served.phases } : {}),
    }).catch(fail)
    info(`brownout upstream listening on ${upstream.url}`)
    if (served) info(`  upstream:  ${upstream.name} of ${args.scenario} (seed ${args.seed ?? served.seed})`)
    info(`  OpenAI:    baseURL ${upstream.url}/v1`)
    info(`  Anthropic: baseURL ${upstream.url}`)
    info(`  control:   ${upstream.url}/_brownout/ (journal, faults, state, metrics, reset)`)
    const rules = upstream.faults.list().length
    if (rules > 0) info(`  faults:    ${rules} rule${rules === 1 ? '' : 's'} from ${args.config ?? args.scenario}`)
    if (upstream.config.header_faults) info('  x-brownout-fault request headers are honoured')
    info('Press Ctrl-C to stop.')
    const signal = await stopped
    info(`\n${signal}: closing (${upstream.journal.total} requests served)`)
    await upstream.close()
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
