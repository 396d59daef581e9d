import { useForFile } from './helpers.js'
import { startRedis, type TestRedis } from './redis-server.js'

export { startRedis, type TestRedis } from './redis-server.js'

/** Starts a redis-server for the file's tests and stops it (by its PID) afterwards. */
export function useRedis(): { readonly current: TestRedis } {
  return useForFile('redis-server', startRedis, (r) => r.stop())
}
