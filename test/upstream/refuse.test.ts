import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { startUpstreams } from '../../src/run/connect.js'

const SCENARIO = new URL('../../scenarios/connection-refused-failover.yaml', import.meta.url).pathname

/** Resolves with 'open' when a TCP connection to the port succeeds, 'refused' when the kernel refuses it. */
function probe(port: number): Promise<'open' | 'refused'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve('open')
    })
    socket.once('error', () => resolve('refused'))
  })
}

describe('a refusing upstream in a run', () => {
  it('holds its port until every upstream of the run is up, so no other upstream can be given it', async () => {
    // A refusing upstream used to give its port up at once; the next upstream, on port 0, could get the same
    // port, and "failover" to the fallback was then a retry to the same address (seen with Portkey).
    const upstreams = await startUpstreams(loadScenario(SCENARIO), { now: () => Date.now() })
    try {
      const [primary, fallback] = upstreams
      expect(primary?.config.refuse_connections).toBe(true)
      expect(primary?.port).not.toBe(fallback?.port)
      expect(await probe(primary?.port ?? 0)).toBe('open')
      await Promise.all(upstreams.map((u) => u.refuse()))
      expect(await probe(primary?.port ?? 0)).toBe('refused')
      expect(await probe(fallback?.port ?? 0)).toBe('open')
    } finally {
      await Promise.all(upstreams.map((u) => u.close()))
    }
  })
})
