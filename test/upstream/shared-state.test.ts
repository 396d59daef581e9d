import { describe, expect, it } from 'vitest'
import { systemClock } from '../../src/clock.js'
import type { Rule } from '../../src/faults/rules.js'
import type { CapacityConfig } from '../../src/upstream/capacity.js'
import type { LimitsConfig } from '../../src/upstream/limits.js'
import { redisState } from '../../src/upstream/redis/state.js'
import {
  type Arrival,
  localState,
  type SharedState,
  type SharedStateFactory,
  type Ticket,
} from '../../src/upstream/shared-state.js'
import { useRedis } from '../redis.js'

const redis = useRedis()
let runs = 0

/** Every implementation of SharedState, each test on a fresh state (a new run id for Redis). */
const implementations: Array<[string, () => SharedStateFactory]> = [
  ['in this process', () => localState],
  ['in Redis', () => redisState({ url: redis.current.url, runId: `contract-${++runs}`, ttlMs: 60_000 })],
]

async function withState<T>(
  factory: SharedStateFactory,
  options: { limits?: LimitsConfig; capacity?: CapacityConfig; rules?: Rule[] },
  body: (state: SharedState) => Promise<T>,
): Promise<T> {
  const state = await factory({
    name: 'contract',
    clock: systemClock,
    limits: options.limits ?? {},
    capacity: options.capacity,
    rules: options.rules ?? [],
    startedAt: systemClock.now(),
    journalCapacity: 1000,
  })
  try {
    return await body(state)
  } finally {
    await state.close()
  }
}

/** The capacity gate of a fresh state: one slot and a queue of one, waiters shed after `queueTimeoutMs`. */
function withGate(
  factory: SharedStateFactory,
  queueTimeoutMs: number,
  body: (gate: NonNullable<SharedState['capacity']>) => Promise<void>,
): Promise<void> {
  const capacity = { max_concurrency: 1, queue: 1, queue_timeout: queueTimeoutMs, inflation: 0 }
  return withState(factory, { capacity }, (state) => {
    if (!state.capacity) throw new Error('no capacity gate')
    return body(state.capacity)
  })
}

const arrival = (requestId: string | undefined, tokenCost = 100): Arrival => ({ requestId, generates: true, tokenCost })

/** What a ticket says that does not depend on how many ms passed between arrivals. */
function exact(t: Ticket) {
  const { refused, limits } = t
  return {
    seq: t.seq,
    requestId: t.requestId,
    attempt: t.attempt,
    upstreamAttempt: t.upstreamAttempt,
    refused: refused && { kind: refused.kind, limit: refused.limit, used: refused.used },
    requests: { ...limits.requests, resetMs: undefined },
    tokens: { ...limits.tokens, resetMs: undefined },
  }
}

describe.each(implementations)('the shared state %s', (_name, factory) => {
  it('numbers arrivals, counts attempts per id and charges the RPM/TPM buckets like RateLimiter', () =>
    withState(factory(), { limits: { rpm: 3, tpm: 250 } }, async (state) => {
      const tickets: Ticket[] = []
      for (const a of [arrival('x'), arrival('x'), arrival(undefined), arrival('y', 100), arrival('z')])
        tickets.push(await state.arrive(a))
      expect(tickets.map(exact)).toEqual([
        {
          seq: 1,
          requestId: 'x',
          attempt: 1,
          upstreamAttempt: 1,
          refused: undefined,
          requests: { limit: 3, remaining: 2, enforced: true },
          tokens: { limit: 250, remaining: 150, enforced: true },
        },
        expect.objectContaining({ seq: 2, attempt: 2, upstreamAttempt: 2, refused: undefined }),
        expect.objectContaining({
          seq: 3,
          requestId: 'anon-contract-1',
          attempt: 1,
          refused: { kind: 'tokens', limit: 250, used: 200 },
        }),
        expect.objectContaining({ seq: 4, requestId: 'y', refused: { kind: 'tokens', limit: 250, used: 200 } }),
        expect.objectContaining({ seq: 5, requestId: 'z', refused: { kind: 'tokens', limit: 250, used: 200 } }),
      ])
      // 50 tokens short at 250 per minute: 12 s to wait.
      expect(tickets[2]?.refused?.retryAfterMs).toBeGreaterThan(11_500)
      expect(tickets[2]?.refused?.retryAfterMs).toBeLessThanOrEqual(12_000)
      expect((await state.limits()).requests).toMatchObject({ remaining: 1, enforced: true })
    }))

  it('refuses on the request bucket first, and never charges an attempt that does not generate', () =>
    withState(factory(), { limits: { rpm: 1 } }, async (state) => {
      const free = await state.arrive({ requestId: 'g', generates: false, tokenCost: 10 })
      expect(free.limits.requests.remaining).toBe(1)
      expect((await state.arrive(arrival('a'))).refused).toBeUndefined()
      const refused = await state.arrive(arrival('b'))
      expect(refused.refused).toMatchObject({ kind: 'requests', limit: 1, used: 1 })
      expect(refused.refused?.retryAfterMs).toBeGreaterThan(59_000)
      expect(refused.limits.tokens).toMatchObject({ enforced: false, limit: 2_000_000 })
    }))

  it('forgets attempts and buckets on reset, going on with the arrival order', () =>
    withState(factory(), { limits: { rpm: 1 } }, async (state) => {
      await state.arrive(arrival('r'))
      await state.reset()
      expect(exact(await state.arrive(arrival('r')))).toMatchObject({ seq: 2, attempt: 1, refused: undefined })
    }))

  it('replaces the rules and tells its listeners', () =>
    withState(factory(), { rules: [{ when: {}, fault: { type: 'reset' } }] as Rule[] }, async (state) => {
      const heard: number[] = []
      state.onRules((rules) => heard.push(rules.length))
      expect(state.rules()).toHaveLength(1)
      await state.replaceRules([])
      expect(state.rules()).toEqual([])
      expect(heard).toEqual([0])
    }))

  it('holds max_concurrency and a bounded queue, and takes a waiter that leaves out of the queue', () =>
    withGate(factory(), 10_000, async (gate) => {
      expect(await gate.acquire()).toMatchObject({ ok: true, queuedMs: 0 })
      const leaving = new AbortController()
      const waiter = gate.acquire(leaving.signal)
      expect(await gate.acquire()).toEqual({ ok: false, reason: 'queue-full' })
      leaving.abort()
      expect(await waiter).toEqual({ ok: false, reason: 'client-left' })
      const next = gate.acquire()
      gate.release()
      expect(await next).toMatchObject({ ok: true })
      gate.release()
    }))

  it('queues a newcomer arriving just after a release while the waiter takes the slot', () =>
    withGate(factory(), 10_000, async (gate) => {
      await gate.acquire()
      const waiter = gate.acquire()
      gate.release()
      const newcomer = gate.acquire()
      expect(await Promise.race([waiter, newcomer])).toMatchObject({ ok: true })
      gate.release()
      expect(await waiter).toMatchObject({ ok: true })
      expect(await newcomer).toMatchObject({ ok: true })
      gate.release()
    }))

  it('sheds a waiter after queue_timeout', () =>
    withGate(factory(), 100, async (gate) => {
      await gate.acquire()
      const started = performance.now()
      expect(await gate.acquire()).toEqual({ ok: false, reason: 'queue-timeout' })
      expect(performance.now() - started).toBeGreaterThanOrEqual(95)
      gate.release()
    }))
})
