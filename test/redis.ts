import { afterAll, beforeAll } from 'vitest'
import { startRedis, type TestRedis } from './redis-server.js'

export { startRedis, type TestRedis } from './redis-server.js'

/** Starts a redis-server for the file's tests and stops it (by its PID) afterwards. */
export function useRedis(): { readonly current: TestRedis } {
  const holder: { current?: TestRedis } = {}
  beforeAll(async () => {
    holder.current = await startRedis()
  })
  afterAll(async () => {
    await holder.current?.stop()
  })
  return {
    get current(): TestRedis {
      if (!holder.current) throw new Error('redis-server not started yet')
      return holder.current
    },
  }
}
