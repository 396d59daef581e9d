import { describe, expect, it } from 'vitest'
import { systemClock } from '../src/clock.js'
import { cancelPlan, startLoad } from '../src/load/driver.js'
import type { ClientRecord } from '../src/load/record.js'
import { type LoadSpec, loadSchema, scenarioSchema } from '../src/scenario/schema.js'
import { type StartUpstreamOptions, startUpstream } from '../src/upstream/server.js'
import { runClientProgram } from './helpers.js'

/** Runs `count` requests 20 ms apart straight at a fake upstream; returns the records and the upstream's journal. */
async function abandonRun(upstreamOptions: StartUpstreamOptions, load: Record<string, unknown>, count: number) {
  const upstream = await startUpstream({ port: 0, ...upstreamOptions })
  try {
    const records: ClientRecord[] = []
    const running = startLoad(
      {
        load: loadSchema.parse({ timeout: 5_000, ...load }),
        seed: 1,
        runId: 'cancel',
        phases: [{ name: 'steady', startMs: 0, endMs: count * 20 }],
        durationMs: count * 20,
        baseUrl: () => upstream.url,
        mapping: {},
        clock: systemClock,
        onRecord: (r) => records.push(r),
      },
      Array.from({ length: count }, (_, i) => i * 20),
    )
    await running.done
    await upstream.settled(1_000)
    return { records, journal: upstream.journal.list(), startMs: running.startMs }
  } finally {
    await upstream.close()
  }
}

describe('load.cancel: the load abandons requests, as a client that gives up', () => {
  it('aborts a request `after` its send: the record says when, and the upstream sees the connection close then', async () => {
    const { records, journal, startMs } = await abandonRun(
      { latency: { ttft: 3_000 } },
      { request: { stream: true, max_tokens: 8 }, cancel: { share: 1, after: 100 } },
      3,
    )
    expect(records.map((r) => r.outcome)).toEqual(['abandoned', 'abandoned', 'abandoned'])
    for (const r of records) {
      // A timer may fire a fraction of a ms early against the performance clock.
      expect(r.abandonedAtMs).toBeGreaterThanOrEqual(r.intendedAt + 99)
      expect(r.abandonedAtMs).toBeLessThan(r.intendedAt + 1_500)
      expect(r.latencyMs).toBeLessThan(1_500)
      const attempt = journal.find((e) => e.requestId === r.id)
      expect(attempt?.endedBy).toBe('client')
      const closedAt = (attempt?.receivedAt ?? 0) + (attempt?.durationMs ?? 0) - startMs
      // Within ms on a quiet machine; the bound leaves room for a busy one, far from the 3 s answer.
      expect(Math.abs(closedAt - (r.abandonedAtMs ?? 0))).toBeLessThan(1_000)
    }
  })

  it('aborts a stream after `after_chunks` events, keeping the text that arrived', async () => {
    const { records } = await abandonRun(
      { latency: { ttft: 10, itl: 40 } },
      { request: { stream: true, max_tokens: 30 }, cancel: { share: 1, after_chunks: 3 } },
      2,
    )
    for (const r of records) {
      expect(r.outcome).toBe('abandoned')
      expect(r.events).toBeGreaterThanOrEqual(3)
      expect(r.events).toBeLessThan(10)
      expect(r.terminal).toBe(false)
      expect(r.text?.length).toBeGreaterThan(0)
    }
  })

  it('lets a request that ended before its time end as it did: only unfinished requests are abandoned', async () => {
    const { records } = await abandonRun({}, { cancel: { share: 1, after: 2_000 } }, 2)
    expect(records.map((r) => r.outcome)).toEqual(['ok', 'ok'])
    expect(records.every((r) => r.abandonedAtMs === undefined)).toBe(true)
    // A stream that ends before its nth event, or with its terminal event as the nth: complete, not abandoned.
    const stream = (after_chunks: number) =>
      abandonRun({}, { request: { stream: true, max_tokens: 8 }, cancel: { share: 1, after_chunks } }, 1)
    const whole = (await stream(1_000)).records[0]
    expect(whole?.outcome).toBe('ok')
    const atTerminal = (await stream(whole?.events ?? 0)).records[0]
    expect(atTerminal?.outcome).toBe('ok')
    expect(atTerminal?.events).toBe(whole?.events)
  })

  it('chooses the abandoned requests by the seed, spread evenly: every stretch of the run abandons its share', () => {
    const chosen = (share: number, seed: number) => {
      const load = loadSchema.parse({ cancel: { share, after: '300ms' } }) as LoadSpec
      return Array.from({ length: 1000 }, (_, n) => cancelPlan(load, seed, n) !== undefined)
    }
    expect(chosen(0.2, 7)).toEqual(chosen(0.2, 7))
    // The seed moves which requests of each stretch are abandoned.
    expect(new Set(Array.from({ length: 10 }, (_, seed) => chosen(0.2, seed).indexOf(true))).size).toBeGreaterThan(1)
    for (const share of [0.2, 0.5, 0.37, 1]) {
      const picks = chosen(share, 3)
      // Any 10 requests in a row: their share, give or take one; a run of 2 at share 0.5 keeps one whole.
      for (let i = 0; i + 10 <= picks.length; i += 7) {
        const n = picks.slice(i, i + 10).filter(Boolean).length
        expect(Math.abs(n - 10 * share)).toBeLessThanOrEqual(1)
      }
    }
    expect(chosen(0.5, 3).slice(0, 2).filter(Boolean)).toHaveLength(1)
    const load = loadSchema.parse({ cancel: { share: 0.2, after: '300ms' } }) as LoadSpec
    expect(cancelPlan(load, 7, chosen(0.2, 7).indexOf(true))).toEqual({ afterMs: 300 })
    expect(cancelPlan(loadSchema.parse({}), 7, 0)).toBeUndefined()
  })

  it('is validated with errors that say how to write it', () => {
    const problems = (cancel: unknown) => {
      const r = scenarioSchema.safeParse({ name: 'x', upstreams: { a: {} }, load: { cancel } })
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    }
    expect(problems({ share: 0.2 })).toEqual([
      'load.cancel: say when a request is abandoned: after (a duration, e.g. 300ms) or after_chunks (stream events)',
    ])
    expect(problems({ share: 0, after: '300ms' })[0]).toMatch(/^load\.cancel\.share: /)
    expect(problems({ share: 0.2, after: 'soon' })[0]).toMatch(/"soon" is not a duration/)
    expect(problems({ share: 0.2, after_chunks: 0 })[0]).toMatch(/^load\.cancel\.after_chunks: /)
    expect(problems({ share: 0.2, after: '300ms', when: 'now' })[0]).toMatch(/when/)
  })
})

describe('load.cancel in client mode', () => {
  it('stops the client program at its time and records the request as abandoned', async () => {
    const record = await runClientProgram('setTimeout(() => {}, 5000)', { cancel: { afterMs: 200 } })
    expect(record.outcome).toBe('abandoned')
    expect(record.abandonedAtMs).toBeGreaterThanOrEqual(199)
    expect(record.latencyMs).toBeLessThan(3_000)
  })
})
