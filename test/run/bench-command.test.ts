import { spawn } from 'node:child_process'
import { once } from 'node:events'
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { brownoutCli } from '../helpers.js'

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname
const GATEWAY = new URL('../../examples/gateways/resilient.sut.yaml', import.meta.url).pathname

describe('brownout bench', () => {
  it('measures a gateway against going direct and prints the added latency', async () => {
    const child = spawn(process.execPath, [CLI, 'bench', '--sut', GATEWAY, '--seconds', '1', '--concurrency', '4'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
    expect(out).toMatch(/^direct +\d+\.\d +\d+\.\d/m)
    expect(out).toMatch(/^via SUT +\d+\.\d +\d+\.\d/m)
    expect(out).toMatch(/added latency: p50 [+-]\d+\.\d ms, p99 [+-]\d+\.\d ms/)
  }, 30_000)

  it('a flag that makes no valid run is a usage error naming the flag, not a raw ZodError', async () => {
    const r = await brownoutCli(['bench', '--concurrency', '0', '--seconds', '1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('bench: these flags do not make a valid run')
    expect(r.stderr).toMatch(/^ {2}--concurrency: /m)
    expect(r.stderr).not.toContain('unexpected error')
    const zero = await brownoutCli(['bench', '--seconds', '0'])
    expect(zero.code).toBe(2)
    expect(zero.stderr).toContain('--seconds 0: expected a length above 0')
  })

  it('--upstream-port means what it means in run: NAME=PORT (a bare PORT, as before, is its one upstream)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo
        s.close(() => resolve(port))
      })
    })
    const named = await brownoutCli([
      'bench',
      '--upstream-port',
      `primary=${port}`,
      '--seconds',
      '0.3',
      '--concurrency',
      '1',
    ])
    expect(named.stderr).toBe('')
    expect(named.code).toBe(0)
    expect(named.stdout).toMatch(/^direct +\d+\.\d/m)
  })
})
