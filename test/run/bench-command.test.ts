import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'

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
})
