import { randomInt } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/**
 * Where the SUT's port is drawn from: below the kernel's ephemeral range. A port taken from the ephemeral range
 * (listen on port 0, close, hand it to the SUT) can be given by the kernel to any port-0 listener or outgoing
 * connection in between, and then the SUT fails to bind while something else (another run's upstream) answers
 * its ready check: the load goes to the wrong server. Below the range, only another explicit bind can take it.
 */
function sutPortRange(): { min: number; max: number } {
  let ephemeralStart = 32768
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)
    if (start !== undefined && Number.isInteger(Number(start))) ephemeralStart = Number(start)
  } catch {
    // Not Linux: the IANA ephemeral range starts at 49152; 32768 is below both.
  }
  const max = Math.max(2048, ephemeralStart - 1)
  return { min: Math.max(1024, max - 16_000), max }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

/** A port the SUT can bind on 127.0.0.1, drawn below the ephemeral range (tries at most 50, then any free one). */
export async function sutPort(): Promise<number> {
  const { min, max } = sutPortRange()
  for (let i = 0; i < 50; i++) {
    const port = randomInt(min, max + 1)
    if (await canBind(port)) return port
  }
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}
