import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { runScenario } from '../../src/run/run.js'
import { loadScenario } from '../../src/scenario/load.js'
import type { Scenario } from '../../src/scenario/schema.js'

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname

/**
 * A gateway that answers its client (504) the moment its upstream sends headers and lets go of that upstream
 * attempt `dropAfterMs` later, as gateways that release an upstream connection after answering do (never, when
 * null). A run that stops listening as soon as the last client record is in loses that last attempt.
 */
async function answerThenDrop(
  upstreamUrl: string,
  dropAfterMs: number | null,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const out = http.request(`${upstreamUrl}${req.url}`, { method: 'POST', headers: req.headers })
    out.on('response', (up) => {
      const body = JSON.stringify({ error: { message: 'gave up', type: 'server_error', param: null, code: null } })
      res.writeHead(504, { 'content-type': 'application/json' }).end(body)
      up.resume()
      if (dropAfterMs !== null) setTimeout(() => out.destroy(), dropAfterMs)
    })
    out.on('error', () => undefined)
    out.end(Buffer.concat(chunks))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

async function freePort(): Promise<number> {
  const s = http.createServer().listen(0, '127.0.0.1')
  await once(s, 'listening')
  const { port } = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return port
}

describe('the run keeps the evidence of every attempt', () => {
  it('journals exactly one first attempt per request of a short run, the last one included', async () => {
    const base = loadScenario(fixture('scenarios/short.yaml'))
    const port = await freePort()
    const scenario: Scenario = {
      ...base,
      upstreams: {
        primary: {
          ...(base.upstreams.primary as Scenario['upstreams'][string]),
          port,
          // A stream that is still going when the gateway has its headers.
          latency: { ttft: { dist: 'fixed', value: 5 }, itl: { dist: 'fixed', value: 40 } },
        },
      },
      load: { ...base.load, rate: 20, request: { ...base.load.request, stream: true } },
      phases: [{ name: 'steady', duration: 1000 }],
    }
    const gateway = await answerThenDrop(`http://127.0.0.1:${port}`, 30)
    try {
      for (let run = 0; run < 3; run++) {
        const result = await runScenario({ scenario, sut: { mode: 'target', url: gateway.url } })
        expect(result.records).toHaveLength(20)
        const firsts = result.journal.filter((e) => e.attempt === 1).map((e) => e.requestId)
        expect(firsts.sort(), `run ${run}`).toEqual(result.records.map((r) => r.id).sort())
        expect(result.meta.counts.attempts).toBe(20)
      }
    } finally {
      await gateway.close()
    }
  })
})
