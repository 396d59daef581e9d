import { createHash } from 'node:crypto'
import { Redis } from 'ioredis'
import { BrownoutError } from '../../errors.js'
import { checkRedisUrl, redactUrl } from './url.js'

/** How long the first connection may take before brownout gives up with an error. */
const CONNECT_TIMEOUT_MS = 3_000

/**
 * Opens a connection to Redis (or Valkey) and waits until it answers; an unreachable server is a BrownoutError
 * naming the URL and how to start one, with nothing left trying to reconnect. Once connected, a dropped
 * connection is retried (commands wait for it, each at most one retry).
 */
export async function connectRedis(url: string): Promise<Redis> {
  const problem = checkRedisUrl(url)
  if (problem) throw new BrownoutError('INVALID_USAGE', `--state: ${problem}`)
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    retryStrategy: () => null,
  })
  let lastError: Error | undefined
  client.on('error', (err: Error) => {
    lastError = err
  })
  try {
    await client.connect()
    await client.ping()
  } catch (err) {
    client.disconnect()
    // The socket's own error (ECONNREFUSED, ENOTFOUND, a wrong password) says more than "Connection is closed".
    const why = lastError?.message || (err instanceof Error ? err.message : String(err)) || 'no answer'
    throw new BrownoutError('STATE_UNAVAILABLE', `cannot reach Redis at ${redactUrl(url)}: ${why}`, {
      cause: err,
      hint:
        'start one (`redis-server --port 6379`, or `docker run -p 6379:6379 valkey/valkey`) and check the host, ' +
        'port and password in the URL; or leave out --state to keep the state in this process',
    })
  }
  client.options.retryStrategy = (times: number) => Math.min(50 * times, 2_000)
  return client
}

/** A Lua script run by its SHA (EVALSHA), loaded on first use or after the server forgot it. */
export type RedisScript = (keys: readonly string[], args: ReadonlyArray<string | number>) => Promise<unknown>

/** A script on `client` (connected to `url`); a failure is a BrownoutError naming the URL. */
export function redisScript(client: Redis, lua: string, url: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex')
  return async (keys, args) => {
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args).catch((err: unknown) => {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
        return client.eval(lua, keys.length, ...keys, ...args)
      })
    } catch (err) {
      throw new BrownoutError('STATE_UNAVAILABLE', `Redis at ${redactUrl(url)} did not answer: ${String(err)}`, {
        cause: err,
        hint: 'check that Redis is up and reachable from every replica; they reconnect by themselves',
      })
    }
  }
}
