import { describe, expect, it } from 'vitest'
import { systemClock } from '../src/clock.js'
import { startLoad } from '../src/load/driver.js'
import type { ClientRecord } from '../src/load/record.js'
import { loadSchema } from '../src/scenario/schema.js'
import { startUpstream } from '../src/upstream/server.js'

describe('stopping the load', () => {
  it('aborts every request in flight at once and records it as stopped, not as a timeout', async () => {
    const upstream = await startUpstream({ port: 0, faults: [{ fault: { type: 'hang' } }] })
    try {
      const records: ClientRecord[] = []
      const load = startLoad(
        {
          load: loadSchema.parse({ rate: 100, timeout: 30_000 }),
          seed: 1,
          runId: 'stop',
          phases: [{ name: 'steady', startMs: 0, endMs: 200 }],
          durationMs: 200,
          baseUrl: () => upstream.url,
          mapping: {},
          clock: systemClock,
          onRecord: (r) => records.push(r),
        },
        Array.from({ length: 20 }, (_, i) => i * 10),
      )
      // Stop once all 20 are out (the upstream never answers them).
      while (load.stats.sent < 20) await new Promise((r) => setTimeout(r, 10))
      const stoppedAt = performance.now()
      load.stop()
      await load.done
      expect(performance.now() - stoppedAt).toBeLessThan(2_000)
      expect(records).toHaveLength(20)
      expect(records.every((r) => r.outcome === 'network-error' && r.error === 'run-stopped')).toBe(true)
    } finally {
      await upstream.close()
    }
  })
})
