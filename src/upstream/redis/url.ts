// What the CLI checks of `--state` and `--run-id` before anything connects: no Redis client is loaded for it.
import { BrownoutError } from '../../errors.js'
import { RUN_ID } from './keys.js'

/** The URL as it may be printed: without a password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return url
  }
}

/** Checks a `--state` URL: `redis://host:port[/db]` (or `rediss://` for TLS). */
export function checkRedisUrl(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `"${url}" is not a URL; write it like redis://127.0.0.1:6379 or redis://host:6379/2`
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    return `"${redactUrl(url)}" is not a Redis URL; write it like redis://127.0.0.1:6379 (rediss:// for TLS)`
  return undefined
}

/** Refuses a run id that cannot scope Redis keys. */
export function checkRunId(runId: string): void {
  if (!RUN_ID.test(runId))
    throw new BrownoutError('INVALID_USAGE', `run id "${runId}": use 1-128 letters, digits, '.', '_', ':' or '-'`)
}
