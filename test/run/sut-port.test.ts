import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { sutPort } from '../../src/run/sut-port.js'

describe("the SUT's port", () => {
  it('comes from below the ephemeral range, where no port-0 listener or outgoing connection can take it', async () => {
    const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    const ports = await Promise.all(Array.from({ length: 20 }, () => sutPort()))
    for (const port of ports) {
      expect(port).toBeLessThan(ephemeralStart)
      expect(port).toBeGreaterThanOrEqual(1024)
    }
    // And it is free: the SUT can bind it.
    const port = ports[0] ?? 0
    await new Promise<void>((resolve, reject) => {
      const s = createServer()
      s.once('error', reject)
      s.listen(port, '127.0.0.1', () => s.close(() => resolve()))
    })
  })
})
