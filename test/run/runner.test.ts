import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ClientRecord } from '../../src/load/record.js'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { expectedTextFor } from '../../src/record/expected-text.js'
import { jsonLines } from '../../src/record/saved.js'
import { runScenario } from '../../src/run/run.js'
import type { Scenario } from '../../src/scenario/schema.js'
import { loadSutProfile } from '../../src/sut/profile.js'
import { tempDir } from '../helpers.js'

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname

/** A tiny gateway written for the test: forwards to the upstream named in the request, retrying once on 5xx. */
async function tinyGateway(upstreamUrls: string[]): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks)
    for (let attempt = 0; attempt < 2; attempt++) {
      const upstream = upstreamUrls[attempt % upstreamUrls.length]
      const r = await fetch(`${upstream}${req.url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      if (r.status >= 500 && attempt === 0) {
        await r.arrayBuffer()
        continue
      }
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' })
      for await (const chunk of r.body ?? []) res.write(chunk)
      res.end()
      return
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

function withFixedPorts(scenario: Scenario, ports: number[]): Scenario {
  const names = Object.keys(scenario.upstreams)
  return {
    ...scenario,
    upstreams: Object.fromEntries(names.map((n, i) => [n, { ...primaryOf(scenario, n), port: ports[i] ?? 0 }])),
  }
}

function primaryOf(scenario: Scenario, name = 'primary'): Scenario['upstreams'][string] {
  const upstream = scenario.upstreams[name]
  if (!upstream) throw new Error(`no upstream ${name}`)
  return upstream
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = http.createServer()
      s.listen(0, '127.0.0.1')
      await once(s, 'listening')
      return s
    }),
  )
  const ports = servers.map((s) => (s.address() as AddressInfo).port)
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  return ports
}

describe('brownout run', () => {
  it('--direct: one client record per request, one journal entry per attempt, joined by id', async () => {
    const scenario = loadScenario(fixture('scenarios/short.yaml'))
    const outDir = tempDir('brownout-direct-')
    const result = await runScenario({ scenario, sut: { mode: 'direct' }, outDir })
    expect(result.meta.complete).toBe(true)
    expect(result.records).toHaveLength(20)
    expect(result.journal).toHaveLength(20)
    expect(new Set(result.journal.map((e) => e.requestId))).toEqual(new Set(result.records.map((r) => r.id)))
    // Each answer was the expected one: the summary a run keeps says so instead of holding the text and the
    // headers no check reads; requests.jsonl has every record whole.
    expect(result.records.every((r) => r.outcome === 'ok' && r.textIsExpected === true && r.text === null)).toBe(true)
    expect(result.records.every((r) => Object.keys(r.headers).length === 0)).toBe(true)
    const saved = [...jsonLines<ClientRecord>(join(outDir, 'requests.jsonl'))]
    expect(saved.map((r) => r.id).sort()).toEqual(result.records.map((r) => r.id).sort())
    const expected = expectedTextFor(scenario)
    expect(saved.every((r) => r.text !== null && r.text === expected(r) && r.textIsExpected === undefined)).toBe(true)
    expect(saved.every((r) => r.headers['x-request-id']?.startsWith('req_'))).toBe(true)
  })

  it('through a gateway (--target): every attempt of every request is recorded and joined to its request', async () => {
    const base = loadScenario(fixture('scenarios/two-upstreams.yaml'))
    const ports = await freePorts(2)
    const scenario = withFixedPorts(base, ports)
    const gateway = await tinyGateway(ports.map((p) => `http://127.0.0.1:${p}`))
    try {
      const result = await runScenario({ scenario, sut: { mode: 'target', url: gateway.url } })
      expect(result.records).toHaveLength(30)
      expect(result.records.every((r) => r.outcome === 'ok' && r.terminal)).toBe(true)
      expect(result.journal).toHaveLength(60)
      for (const record of result.records) {
        const attempts = result.journal.filter((e) => e.requestId === record.id).sort((a, b) => a.attempt - b.attempt)
        expect(attempts.map((e) => [e.upstream, e.attempt, e.status])).toEqual([
          ['primary', 1, 503],
          ['secondary', 2, 200],
        ])
      }
      expect(result.records.map((r) => r.phase).filter((p) => p === 'warm')).toHaveLength(10)
    } finally {
      await gateway.close()
    }
  })

  it('--sut: starts the reference gateway, runs through it, stops it', async () => {
    const scenario = loadScenario(fixture('scenarios/two-upstreams.yaml'))
    const profile = loadSutProfile(fixture('sut/gateway.sut.yaml'), Object.keys(scenario.upstreams))
    const result = await runScenario({ scenario, sut: { mode: 'sut', profile, file: fixture('sut/gateway.sut.yaml') } })
    expect(result.meta.complete).toBe(true)
    expect(result.records.every((r) => r.outcome === 'ok')).toBe(true)
    for (const record of result.records) {
      const attempts = result.journal.filter((e) => e.requestId === record.id).sort((a, b) => a.attempt - b.attempt)
      expect(attempts.at(-1)?.status).toBe(200)
      expect(attempts.map((e) => e.attempt)).toEqual(attempts.map((_, i) => i + 1))
    }
  })

  it('holds an open-model rate: arrivals on schedule, lateness measured, within a tolerance band', async () => {
    const scenario: Scenario = {
      ...loadScenario(fixture('scenarios/short.yaml')),
      phases: [{ name: 'steady', duration: 2000 }],
    }
    scenario.load = { ...scenario.load, rate: 100 }
    const result = await runScenario({ scenario, sut: { mode: 'direct' } })
    expect(result.records).toHaveLength(200)
    const lags = result.records.map((r) => r.sendLagMs).sort((a, b) => a - b)
    // 95 % sent within 50 ms of their time: 25 ms held on a quiet machine, not beside two other test workers (30).
    expect(lags[Math.floor(lags.length * 0.95)]).toBeLessThan(50)
    const intended = result.records.map((r) => r.intendedAt).sort((a, b) => a - b)
    expect(intended[1]).toBe(10)
    expect(intended.at(-1)).toBe(1990)
  })

  it('records requests due while max_in_flight are outstanding as not sent', async () => {
    const base = loadScenario(fixture('scenarios/short.yaml'))
    const scenario: Scenario = {
      ...base,
      upstreams: {
        primary: {
          ...primaryOf(base),
          latency: { ttft: { dist: 'fixed', value: 1000 }, itl: { dist: 'fixed', value: 0 } },
        },
      },
      load: { ...base.load, rate: 20, max_in_flight: 2 },
      phases: [{ name: 'steady', duration: 500 }],
    }
    const result = await runScenario({ scenario, sut: { mode: 'direct' } })
    expect(result.records).toHaveLength(10)
    expect(result.records.filter((r) => r.outcome === 'not-sent')).toHaveLength(8)
    expect(result.meta.counts.notSent).toBe(8)
  })

  it('turns a request past the client deadline into a recorded hang', async () => {
    const base = loadScenario(fixture('scenarios/short.yaml'))
    const scenario: Scenario = {
      ...base,
      upstreams: {
        primary: {
          ...primaryOf(base),
          faults: [{ when: {}, fault: { type: 'hang', at: 'before-headers', bytes: 0 } }],
        },
      },
      load: { ...base.load, rate: 10, timeout: 200 },
      phases: [{ name: 'steady', duration: 300 }],
    }
    const result = await runScenario({ scenario, sut: { mode: 'direct' } })
    expect(result.records.map((r) => r.outcome)).toEqual(['timeout', 'timeout', 'timeout'])
    expect(result.records.every((r) => r.latencyMs >= 195)).toBe(true)
    expect(result.journal.every((e) => e.endedBy === 'hang' && e.clientDisconnected)).toBe(true)
  })

  it('runs a closed model of N clients', async () => {
    const base = loadScenario(fixture('scenarios/short.yaml'))
    const { rate: _rate, ...load } = base.load
    const scenario: Scenario = {
      ...base,
      upstreams: {
        primary: {
          ...primaryOf(base),
          latency: { ttft: { dist: 'fixed', value: 50 }, itl: { dist: 'fixed', value: 0 } },
        },
      },
      load: { ...load, concurrency: 2 },
      phases: [{ name: 'steady', duration: 500 }],
    }
    const result = await runScenario({ scenario, sut: { mode: 'direct' } })
    expect(result.records.length).toBeGreaterThanOrEqual(14)
    expect(result.records.length).toBeLessThanOrEqual(22)
    expect(result.records.every((r) => r.outcome === 'ok')).toBe(true)
  })
})
