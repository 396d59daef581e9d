import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BrownoutError } from '../../src/errors.js'
import type { JournalEntry } from '../../src/upstream/journal.js'
import { redisState } from '../../src/upstream/redis/state.js'
import { type RunningUpstream, type StartUpstreamOptions, startUpstream } from '../../src/upstream/server.js'
import { chatBody, journalEntry, postJson } from '../helpers.js'
import { startRedis, useRedis } from '../redis.js'

const redis = useRedis()
const chat = '/v1/chat/completions'
let client: Redis
beforeAll(() => {
  client = new Redis(redis.current.url)
})
afterAll(async () => {
  await client.quit()
})

/** Two replicas of one upstream on one Redis and run id, closed (with their connections) after `body`. */
async function withReplicas<T>(
  runId: string,
  options: StartUpstreamOptions,
  body: (a: RunningUpstream, b: RunningUpstream) => Promise<T>,
): Promise<T> {
  const state = redisState({ url: redis.current.url, runId, ttlMs: 60_000 })
  const a = await startUpstream({ port: 0, seed: 42, ...options, state })
  try {
    const b = await startUpstream({ port: 0, seed: 42, ...options, state })
    try {
      return await body(a, b)
    } finally {
      await b.close()
    }
  } finally {
    await a.close()
  }
}

/** Waits until `probe` answers something `done` accepts, at most `timeoutMs`; returns the last answer. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let value = await probe()
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    value = await probe()
  }
  return value
}

async function journalOf(up: RunningUpstream): Promise<JournalEntry[]> {
  const body = (await (await fetch(`${up.url}/_brownout/journal`)).json()) as { entries: JournalEntry[] }
  return body.entries
}

describe('replicas sharing their state through Redis', () => {
  it('counts a request sent to replica A then B as attempt 2 at B', () =>
    withReplicas('attempts', {}, async (a, b) => {
      await postJson(`${a.url}${chat}`, chatBody('r-a'))
      await postJson(`${b.url}${chat}`, chatBody('r-a'))
      expect(await journalEntry(b, 'r-a')).toMatchObject({ attempt: 2, upstreamAttempt: 2, seq: 2 })
    }))

  it('fires an `every: 2` rule on every second arrival across both replicas', () =>
    withReplicas('every', { faults: [{ when: { every: 2 }, fault: { type: 'error', status: 503 } }] }, async (a, b) => {
      const statuses: number[] = []
      for (let i = 0; i < 8; i++) {
        const up = i % 2 === 0 ? a : b
        statuses.push((await postJson(`${up.url}${chat}`, chatBody(`ev-${i}`))).status)
      }
      // Counted per replica, A would fire on its 2nd and 4th (the 3rd and 7th overall) and B likewise.
      expect(statuses).toEqual([200, 503, 200, 503, 200, 503, 200, 503])
    }))

  it('admits exactly `rpm` requests across both replicas', () =>
    withReplicas('rpm', { limits: { rpm: 10 } }, async (a, b) => {
      const sent = Array.from({ length: 20 }, (_, i) =>
        postJson(`${(i % 2 === 0 ? a : b).url}${chat}`, chatBody(`rpm-${i}`)),
      )
      const statuses = (await Promise.all(sent)).map((r) => r.status)
      expect(statuses.filter((s) => s === 200)).toHaveLength(10)
      expect(statuses.filter((s) => s === 429)).toHaveLength(10)
    }))

  it('holds max_concurrency and the queue as totals across both replicas', () =>
    withReplicas('capacity', { latency: { ttft: '1s' }, capacity: { max_concurrency: 2, queue: 1 } }, async (a, b) => {
      const sent = Array.from({ length: 6 }, (_, i) =>
        postJson(`${(i % 2 === 0 ? a : b).url}${chat}`, chatBody(`cap-${i}`)),
      )
      const statuses = (await Promise.all(sent)).map((r) => r.status)
      expect(statuses.filter((s) => s === 200)).toHaveLength(3)
      expect(statuses.filter((s) => s === 503)).toHaveLength(3)
      const journal = await until(
        () => journalOf(a),
        (entries) => entries.length === 6,
      )
      expect(journal.filter((e) => e.rule === 'capacity').map((e) => e.faults)).toEqual([
        ['queue-full'],
        ['queue-full'],
        ['queue-full'],
      ])
      expect(await client.hgetall('brownout:{capacity}:upstream:capacity')).toEqual({ active: '0', queued: '0' })
    }))

  it('puts rules changed through replica A in force on replica B', () =>
    withReplicas('rules', {}, async (a, b) => {
      const rules = { faults: [{ name: 'down', fault: { type: 'error', status: 500 } }] }
      const put = await fetch(`${a.url}/_brownout/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rules),
      })
      expect(put.status).toBe(200)
      const faults = await until(
        async () => ((await (await fetch(`${b.url}/_brownout/faults`)).json()) as { faults: unknown[] }).faults,
        (list) => list.length === 1,
      )
      expect(faults).toMatchObject([{ name: 'down' }])
      expect((await postJson(`${b.url}${chat}`, chatBody('ru-1'))).status).toBe(500)
    }))

  it('catches up on rules it missed while its subscription was down', () =>
    withReplicas('missed', {}, async (_a, b) => {
      // A change whose message B never got: written, not published; then every subscription is cut and comes back.
      const rules = [{ name: 'missed', when: {}, fault: { type: 'error', status: 502 } }]
      await client.hset('brownout:{missed}:upstream:rules', 'json', JSON.stringify(rules))
      await client.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
      const faults = await until(
        async () => ((await (await fetch(`${b.url}/_brownout/faults`)).json()) as { faults: unknown[] }).faults,
        (list) => list.length === 1,
        5_000,
      )
      expect(faults).toMatchObject([{ name: 'missed' }])
    }))

  it("serves every attempt of both replicas exactly once, in seq order, from either replica's journal", () =>
    withReplicas('journal', {}, async (a, b) => {
      const ids = Array.from({ length: 10 }, (_, i) => `jr-${i}`)
      await Promise.all(ids.map((id, i) => postJson(`${(i % 2 === 0 ? a : b).url}${chat}`, chatBody(id))))
      for (const up of [a, b]) {
        const entries = await until(
          () => journalOf(up),
          (list) => list.length >= 10,
        )
        expect(entries.map((e) => e.seq)).toEqual(ids.map((_, i) => i + 1))
        expect(entries.map((e) => e.requestId).sort()).toEqual([...ids].sort())
      }
      const counts = (await (await fetch(`${b.url}/_brownout/journal?id=jr-3`)).json()) as {
        total: number
        entries: JournalEntry[]
      }
      expect(counts.total).toBe(10)
      expect(counts.entries.map((e) => e.requestId)).toEqual(['jr-3'])
    }))

  it("counts `during` windows from the first replica's start, and moves it for all on reset", async () => {
    const state = redisState({ url: redis.current.url, runId: 'start', ttlMs: 60_000 })
    const faults = [{ when: { during: { to: '5s' } }, fault: { type: 'error', status: 500 } }]
    const a = await startUpstream({ port: 0, faults, state, startedAt: Date.now() - 10_000 })
    const b = await startUpstream({ port: 0, faults, state, startedAt: Date.now() })
    try {
      // B's own start would put it inside the 5 s window; it counts from A's, 10 s ago.
      expect((await postJson(`${b.url}${chat}`, chatBody('st-1'))).status).toBe(200)
      expect((await fetch(`${a.url}/_brownout/reset`, { method: 'POST' })).status).toBe(200)
      const after = await until(
        async () => (await postJson(`${b.url}${chat}`, chatBody('st-2'))).status,
        (status) => status === 500,
      )
      expect(after).toBe(500)
      expect((await journalOf(b)).map((e) => e.requestId).every((id) => id === 'st-2')).toBe(true)
    } finally {
      await b.close()
      await a.close()
    }
  })

  it('keeps two run ids on one Redis apart, every key with a TTL', async () => {
    await withReplicas('run-one', {}, async (a) => {
      await withReplicas('run-two', {}, async (c) => {
        await postJson(`${a.url}${chat}`, chatBody('shared-id'))
        await postJson(`${c.url}${chat}`, chatBody('shared-id'))
        expect(await journalEntry(c, 'shared-id')).toMatchObject({ attempt: 1, seq: 1 })
        expect((await journalOf(a)).map((e) => e.requestId)).toEqual(['shared-id'])
      })
      const keys = await client.keys('brownout:{run-one}:*')
      expect(keys).toEqual(expect.arrayContaining(['brownout:{run-one}:upstream:seq', 'brownout:{run-one}:attempts']))
      for (const key of keys) expect(await client.ttl(key), key).toBeGreaterThan(0)
    })
  })
})

describe('Redis going away while a replica serves', () => {
  it('answers a 500 internal_error naming Redis, and the replica still closes', async () => {
    const own = await startRedis()
    let up: RunningUpstream | undefined
    try {
      up = await startUpstream({ port: 0, state: redisState({ url: own.url, runId: 'outage', ttlMs: 60_000 }) })
      expect((await postJson(`${up.url}${chat}`, chatBody('out-1'))).status).toBe(200)
      await own.stop()
      const started = performance.now()
      const res = await postJson(`${up.url}${chat}`, chatBody('out-2'))
      expect(res.status).toBe(500)
      expect(res.json).toMatchObject({ error: { type: 'internal_error' } })
      expect(res.text).toContain(`Redis at ${own.url} did not answer`)
      expect(performance.now() - started).toBeLessThan(5_000)
    } finally {
      await own.stop()
      await up?.close()
    }
  })
})

describe('an unreachable Redis', () => {
  it('fails the start with the URL and how to start one, leaving nothing listening', async () => {
    await redis.current.stop()
    const url = redis.current.url
    const state = redisState({ url, runId: 'gone', ttlMs: 60_000 })
    const err = await startUpstream({ port: 0, state }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(BrownoutError)
    expect(err).toMatchObject({ code: 'STATE_UNAVAILABLE' })
    expect((err as BrownoutError).message).toContain(url)
    expect((err as BrownoutError).hint).toContain('redis-server')
  })
})
