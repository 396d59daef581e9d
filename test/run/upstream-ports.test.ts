import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { ONLY_UPSTREAM, pinUpstreamPorts, upstreamPortsFrom } from '../../src/cli/upstream-ports.js'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { brownoutCli } from '../helpers.js'

const GATEWAY = new URL('../../examples/gateways/gateway.mjs', import.meta.url).pathname
const scenarioFile = new URL('../../scenarios/transient-503.yaml', import.meta.url).pathname

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

describe('--upstream-port (a gateway you run yourself)', () => {
  it('parses NAME=PORT and refuses anything else, saying what it expects', () => {
    expect([...upstreamPortsFrom(['primary=9101', ' fallback=9102 '])]).toEqual([
      ['primary', 9101],
      ['fallback', 9102],
    ])
    for (const bad of ['primary', 'primary=0', 'primary=70000', '=9101', 'primary=91o1'])
      expect(() => upstreamPortsFrom([bad]), bad).toThrow(/expected NAME=PORT/)
  })

  it('pins the ports, and with --target refuses an upstream the gateway could not know about', () => {
    const scenario = loadScenario(scenarioFile)
    const pinned = pinUpstreamPorts(scenario, new Map([['primary', 9101]]), true, 'x.yaml')
    expect(pinned.upstreams.primary?.port).toBe(9101)
    expect(() => pinUpstreamPorts(scenario, new Map(), true, 'x.yaml')).toThrow(/upstream "primary" .*no fixed port/)
    expect(() => pinUpstreamPorts(scenario, new Map([['primary', 9101]]), false, 'x.yaml')).toThrow(
      /only applies with --target/,
    )
    expect(pinUpstreamPorts(scenario, new Map(), false, 'x.yaml').upstreams.primary?.port).toBe(0)
  })

  it('takes a bare PORT for the one upstream of a scenario (as bench always did), and refuses it for several', () => {
    expect([...upstreamPortsFrom(['9101'])]).toEqual([[ONLY_UPSTREAM, 9101]])
    const one = loadScenario(scenarioFile)
    expect(pinUpstreamPorts(one, upstreamPortsFrom(['9101']), true, 'x.yaml').upstreams.primary?.port).toBe(9101)
    const two = loadScenario(new URL('../fixtures/scenarios/two-upstreams.yaml', import.meta.url).pathname)
    expect(() => pinUpstreamPorts(two, upstreamPortsFrom(['9101']), true, 'two.yaml')).toThrow(
      /--upstream-port 9101: two\.yaml has 2 upstreams .*so a bare port names none/,
    )
    expect(() => upstreamPortsFrom(['=9101'])).toThrow(/expected NAME=PORT/)
  })

  it('grades a running gateway that forwards to the pinned port', async () => {
    const [gatewayPort, upstreamPort] = [await freePort(), await freePort()]
    const gateway: ChildProcess = spawn(process.execPath, [GATEWAY], {
      env: { ...process.env, PORT: String(gatewayPort), UPSTREAMS: `http://127.0.0.1:${upstreamPort}`, RETRIES: '2' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      await once(gateway.stdout as NodeJS.ReadableStream, 'data')
      const target = `http://127.0.0.1:${gatewayPort}`
      const r = await brownoutCli([
        'run',
        scenarioFile,
        '--target',
        target,
        '--upstream-port',
        `primary=${upstreamPort}`,
        '--fast',
        '0.5',
      ])
      expect(r.stdout).toMatch(/PASS +transient-503/)
      expect(r.code).toBe(0)
      const loose = await brownoutCli(['run', scenarioFile, '--target', target])
      expect(loose.code).toBe(2)
      expect(loose.stderr).toContain(`pass --upstream-port primary=PORT`)
    } finally {
      gateway.kill('SIGTERM')
    }
  }, 60_000)
})
