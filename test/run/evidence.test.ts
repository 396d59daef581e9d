import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { grade } from '../../src/grade/grade.js'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { loadRun } from '../../src/record/saved.js'
import { runScenario } from '../../src/run/run.js'
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

/** 20 streaming requests in one second to an upstream on `port`, whose streams would last ~3.5 s. */
function shortRun(port: number, faults: Scenario['upstreams'][string]['faults'] = []): Scenario {
  const base = loadScenario(fixture('scenarios/short.yaml'))
  return {
    ...base,
    upstreams: {
      primary: {
        ...(base.upstreams.primary as Scenario['upstreams'][string]),
        port,
        faults,
        // A stream that is still going when the gateway has its headers.
        latency: { ttft: { dist: 'fixed', value: 5 }, itl: { dist: 'fixed', value: 500 } },
      },
    },
    load: { ...base.load, rate: 20, request: { ...base.load.request, stream: true } },
    phases: [{ name: 'steady', duration: 1000 }],
  }
}

describe('the run keeps the evidence of every attempt', () => {
  it('journals exactly one first attempt per request of a short run, the last one included', async () => {
    const port = await freePort()
    const scenario = shortRun(port)
    // Deterministic: the last attempt always ends 100 ms after its client's answer, long after the last record.
    const gateway = await answerThenDrop(`http://127.0.0.1:${port}`, 100)
    try {
      const result = await runScenario({ scenario, sut: { mode: 'target', url: gateway.url } })
      expect(result.records).toHaveLength(20)
      const firsts = result.journal.filter((e) => e.attempt === 1).map((e) => e.requestId)
      expect(firsts.sort()).toEqual(result.records.map((r) => r.id).sort())
      expect(result.journal.map((e) => e.endedBy)).toEqual(Array(20).fill('client'))
      expect(result.meta.counts).toMatchObject({ attempts: 20, openAttempts: 0 })
    } finally {
      await gateway.close()
    }
  })

  it('records attempts the SUT still holds open at the end as open, saves them, and reads them back', async () => {
    const port = await freePort()
    const scenario = shortRun(port, [{ name: 'stuck', when: {}, fault: { type: 'hang', at: 'after-headers' } }])
    const gateway = await answerThenDrop(`http://127.0.0.1:${port}`, null)
    const dir = mkdtempSync(join(tmpdir(), 'brownout-open-'))
    try {
      const result = await runScenario({
        scenario,
        sut: { mode: 'target', url: gateway.url },
        outDir: dir,
        settleMs: 100,
      })
      expect(result.journal).toHaveLength(20)
      expect(result.meta.counts).toMatchObject({ attempts: 20, openAttempts: 20 })
      for (const e of result.journal) {
        expect(e).toMatchObject({ endedBy: 'open', status: 200, faults: ['hang'], rule: 'stuck' })
        expect(e.durationMs).toBeGreaterThanOrEqual(100)
      }
      const saved = readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n')
      expect(saved.map((l) => JSON.parse(l).endedBy)).toEqual(Array(20).fill('open'))
      const data = loadRun(dir)
      expect(data.journal).toEqual(result.journal)
      const graded = grade(data)
      expect(graded.checks.find((c) => c.key === 'faults.fired')).toMatchObject({ verdict: 'pass', value: 20 })
      expect(graded.counts.openAttempts).toBe(20)
    } finally {
      await gateway.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
