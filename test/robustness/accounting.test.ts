import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runScenario } from '../../src/run/run.js'
import { scenarioSchema } from '../../src/scenario/schema.js'
import { chatBody, postJson, tempDir, withUpstream } from '../helpers.js'

describe('nothing lost, nothing leaked', () => {
  it("under sustained mixed load the journal count equals the upstream's own request counter", () =>
    withUpstream(
      {
        faults: [
          { when: { probability: 0.2 }, fault: { type: 'error', status: 503 } },
          { when: { probability: 0.1 }, fault: { type: 'reset' } },
        ],
      },
      async (up) => {
        const ids = Array.from({ length: 3000 }, (_, i) => `acct-${i}`)
        for (let i = 0; i < ids.length; i += 300) {
          await Promise.all(
            ids
              .slice(i, i + 300)
              .map((id) => postJson(`${up.url}/v1/chat/completions`, chatBody(id)).catch(() => undefined)),
          )
        }
        await up.settled(2000) // every attempt recorded as ended before counting
        const metrics = await (await fetch(`${up.url}/_brownout/metrics`)).text()
        const counted = [...metrics.matchAll(/^brownout_requests_total\{[^}]*\} (\d+)$/gm)].reduce(
          (sum, m) => sum + Number(m[1]),
          0,
        )
        expect(counted).toBe(3000)
        expect(up.journal.total).toBe(3000)
        expect(new Set(up.journal.list().map((e) => e.requestId)).size).toBe(3000)
      },
    ))

  it('accounts for every client record: completed, failed, hung or not sent', async () => {
    const scenario = scenarioSchema.parse({
      name: 'accounting',
      upstreams: {
        primary: {
          latency: { ttft: '30ms' },
          faults: [
            { when: { every: 3 }, fault: { type: 'hang' } },
            { when: { every: 5 }, fault: { type: 'reset' } },
          ],
        },
      },
      phases: [{ name: 'steady', duration: 1000 }],
      load: { rate: 60, timeout: 300, max_in_flight: 15 },
    })
    const result = await runScenario({ scenario, sut: { mode: 'direct' } })
    expect(result.records).toHaveLength(60)
    const byOutcome = result.meta.counts.byOutcome
    expect(Object.values(byOutcome).reduce((a, b) => a + b, 0)).toBe(60)
    expect(byOutcome.timeout).toBeGreaterThan(0)
    expect(result.journal.length).toBe(60 - (byOutcome['not-sent'] ?? 0))
  })

  it('never writes the Authorization or x-api-key a request carried into journals or records', async () => {
    const dir = tempDir('brownout-secret-')
    const secret = 'sk-live-DO-NOT-LEAK-1234567890'
    const scenario = scenarioSchema.parse({
      name: 'secrets',
      upstreams: { primary: {} },
      phases: [{ name: 'steady', duration: 300 }],
      load: { request: { headers: { authorization: `Bearer ${secret}`, 'x-api-key': secret } }, rate: 20 },
    })
    await runScenario({ scenario, sut: { mode: 'direct' }, outDir: dir })
    for (const file of ['journal.jsonl', 'requests.jsonl', 'run.json'])
      expect(readFileSync(join(dir, file), 'utf8')).not.toContain(secret)
  })

  it('the admin API can require a token; health stays open for readiness probes', () =>
    withUpstream({ admin_token: 'correct-horse-battery' }, async (up) => {
      expect((await fetch(`${up.url}/_brownout/journal`)).status).toBe(401)
      expect(
        (await fetch(`${up.url}/_brownout/journal`, { headers: { authorization: 'Bearer wrong-token-value' } })).status,
      ).toBe(401)
      expect(
        (await fetch(`${up.url}/_brownout/journal`, { headers: { authorization: 'Bearer correct-horse-battery' } }))
          .status,
      ).toBe(200)
      expect((await fetch(`${up.url}/_brownout/health`)).status).toBe(200)
      expect((await postJson(`${up.url}/v1/chat/completions`, chatBody('tok'))).status).toBe(200)
    }))

  it('requests without an id do not grow the attempt counters', () =>
    withUpstream({}, async (up) => {
      for (let i = 0; i < 50; i++)
        await postJson(`${up.url}/v1/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }] })
      expect(up.journal.list().every((e) => e.attempt === 1 && e.idSource === 'generated')).toBe(true)
    }))
})
