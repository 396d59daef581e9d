import type { CommandModule } from 'yargs'
import { startUpstream } from '../upstream/server.js'
import { fail, info, warn } from './output.js'

interface ServeArgs {
  host: string
  port: number
  seed: number
  provider: 'openai' | 'anthropic'
}

const LOOPBACK = /^(127\.|localhost$|::1$|\[::1\]$)/

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Run a fake OpenAI- and Anthropic-compatible upstream until Ctrl-C',
  builder: (y) =>
    y
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Interface to bind (loopback by default)' })
      .option('port', { type: 'number', default: 8080, describe: 'Port to listen on (0 picks a free one)' })
      .option('seed', { type: 'number', default: 1, describe: 'Seed for content, timing and faults' })
      .option('provider', {
        choices: ['openai', 'anthropic'] as const,
        default: 'openai' as const,
        describe: 'Error shape for paths that belong to neither API',
      })
      .example('$0 serve', 'OpenAI at http://127.0.0.1:8080/v1, Anthropic at http://127.0.0.1:8080')
      .example('$0 serve --port 0 --seed 7', 'a free port, another seed'),
  handler: async (args) => {
    if (!LOOPBACK.test(args.host)) warn(`binding ${args.host}: anyone who can reach this address can use the upstream`)
    // Signal handlers go in before the URL is printed: whoever reads the URL may signal at once.
    const stopped = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'))
      process.once('SIGTERM', () => resolve('SIGTERM'))
    })
    const upstream = await startUpstream({
      host: args.host,
      port: args.port,
      seed: args.seed,
      provider: args.provider,
      name: 'serve',
    }).catch(fail)
    info(`brownout upstream listening on ${upstream.url}`)
    info(`  OpenAI:    baseURL ${upstream.url}/v1`)
    info(`  Anthropic: baseURL ${upstream.url}`)
    info(`  journal:   ${upstream.url}/_brownout/journal`)
    info('Press Ctrl-C to stop.')
    const signal = await stopped
    info(`\n${signal}: closing (${upstream.journal.total} requests served)`)
    await upstream.close()
  },
}
