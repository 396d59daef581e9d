import { parseDurationMs } from '../duration.js'
import { BrownoutError } from '../errors.js'
import { checkRedisUrl, checkRunId, redactUrl } from '../upstream/redis/url.js'
import type { SharedStateFactory } from '../upstream/shared-state.js'

const DEFAULT_RUN_ID = 'default'
const DEFAULT_TTL = '24h'

/** `--state`, `--run-id`, `--state-ttl`: where replicas of one upstream share their state. */
export const stateOptions = {
  state: {
    type: 'string',
    describe:
      'Share counters, buckets, slots, rules and the journal with other replicas through Redis or Valkey: redis://host:port[/db] [default: in this process]',
  },
  'run-id': {
    type: 'string',
    describe: `With --state: the run the replicas serve together (the keys' scope) [default: ${DEFAULT_RUN_ID}]`,
  },
  'state-ttl': {
    type: 'string',
    describe: `With --state: keys expire this long after their last write, e.g. 30m, 24h [default: ${DEFAULT_TTL}]`,
  },
} as const

export interface StateArgs {
  state: string | undefined
  'run-id': string | undefined
  'state-ttl': string | undefined
}

/**
 * The state factory the flags ask for (undefined: in this process), or a usage error saying which flag is wrong
 * (a bad run id among them).
 */
export function stateFromArgs(args: StateArgs): { factory: SharedStateFactory; describe: string } | undefined {
  if (args.state === undefined) {
    const stray = args['run-id'] !== undefined ? '--run-id' : args['state-ttl'] !== undefined ? '--state-ttl' : ''
    if (stray)
      throw new BrownoutError('INVALID_USAGE', `${stray} needs --state`, {
        hint: 'add --state redis://host:6379, or leave it out: one process keeps its state in memory',
      })
    return undefined
  }
  const problem = checkRedisUrl(args.state)
  if (problem) throw new BrownoutError('INVALID_USAGE', `--state: ${problem}`)
  const runId = args['run-id'] ?? DEFAULT_RUN_ID
  const ttl = args['state-ttl'] ?? DEFAULT_TTL
  const ttlMs = parseDurationMs(ttl)
  if (ttlMs === undefined || ttlMs < 1000)
    throw new BrownoutError('INVALID_USAGE', `--state-ttl "${ttl}": expected a duration of 1s or more, like 30m or 24h`)
  checkRunId(runId)
  const options = { url: args.state, runId, ttlMs: Math.round(ttlMs) }
  return {
    // The Redis client loads only when a serve asks for it (~0.2 s of every other process's start).
    factory: async (init) => (await import('../upstream/redis/state.js')).redisState(options)(init),
    describe: `${redactUrl(args.state)}, run "${runId}" (keys expire ${ttl} after their last write)`,
  }
}
