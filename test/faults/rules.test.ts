import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { FaultEngine, type Rule, ruleSchema } from '../../src/faults/rules.js'
import type { Exchange } from '../../src/upstream/exchange.js'
import type { Plan } from '../../src/upstream/plan.js'
import { chatExchange, sceneOf } from '../exchange.js'
import { chatBody, postJson, withUpstream } from '../helpers.js'

const basePlan: Plan = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  headersAtMs: 0,
  steps: [{ kind: 'end', atMs: 0 }],
}

const clock = manualClock()

function exchange(id: string, attempt: number, extra: Partial<Exchange> = {}): Exchange {
  return chatExchange({ id, attempt, clock, arrivalMs: 0, body: { model: 'gpt-4o-mini', stream: false }, ...extra })
}

const scene = sceneOf(exchange('scene', 1))

function rules(...input: unknown[]): Rule[] {
  return input.map((r) => ruleSchema.parse(r))
}

const err503 = { type: 'error', status: 503 }

describe('rule matching', () => {
  it('attempt: fails the first attempt of each request only', () => {
    const engine = new FaultEngine(rules({ when: { attempt: 1 }, fault: err503 }), { seed: 1 })
    expect(engine.apply(exchange('a', 1), 1, basePlan, scene)?.faults).toEqual(['error'])
    expect(engine.apply(exchange('a', 2), 2, basePlan, scene)).toBeUndefined()
  })

  it('request_id: only the requests named (globs, or a list), e.g. a repro bundle replaying failing requests', () => {
    const engine = new FaultEngine(rules({ when: { request_id: ['brn-x-1', 'brn-y-*'], attempt: 1 }, fault: err503 }), {
      seed: 1,
    })
    expect(engine.apply(exchange('brn-x-1', 1), 1, basePlan, scene)?.faults).toEqual(['error'])
    expect(engine.apply(exchange('brn-y-7', 1), 2, basePlan, scene)?.faults).toEqual(['error'])
    expect(engine.apply(exchange('brn-x-10', 1), 3, basePlan, scene)).toBeUndefined()
    expect(engine.apply(exchange('brn-x-1', 2), 4, basePlan, scene)).toBeUndefined()
  })

  it('attempt as a list: fails the first N attempts', () => {
    const engine = new FaultEngine(rules({ when: { attempt: [1, 2] }, fault: err503 }), { seed: 1 })
    expect([1, 2, 3].map((n) => engine.apply(exchange('a', n), n, basePlan, scene) !== undefined)).toEqual([
      true,
      true,
      false,
    ])
  })

  it('first matching rule wins', () => {
    const engine = new FaultEngine(
      rules({ name: 'first', fault: err503 }, { name: 'second', fault: { type: 'reset' } }),
      { seed: 1 },
    )
    expect(engine.apply(exchange('a', 1), 1, basePlan, scene)?.rule).toBe('first')
  })

  it('path and model globs, stream and header', () => {
    const engine = new FaultEngine(
      rules({
        when: { path: '/v1/chat/*', model: 'gpt-4o*', stream: true, header: { 'x-tenant': 'team-*' } },
        fault: err503,
      }),
      { seed: 1 },
    )
    const good = { model: 'gpt-4o-mini', stream: true, headers: { 'x-tenant': 'team-a' } }
    expect(engine.apply(exchange('a', 1, good), 1, basePlan, scene)).toBeDefined()
    expect(engine.apply(exchange('a', 1, { ...good, path: '/v1/embeddings' }), 1, basePlan, scene)).toBeUndefined()
    expect(engine.apply(exchange('a', 1, { ...good, model: 'claude-x' }), 1, basePlan, scene)).toBeUndefined()
    expect(
      engine.apply(exchange('a', 1, { ...good, model: 'gpt-4o', stream: false }), 1, basePlan, scene),
    ).toBeUndefined()
    expect(
      engine.apply(exchange('a', 1, { ...good, headers: { 'x-tenant': 'other' } }), 1, basePlan, scene),
    ).toBeUndefined()
  })

  it('every: every nth request at the upstream', () => {
    const engine = new FaultEngine(rules({ when: { every: 3 }, fault: err503 }), { seed: 1 })
    const fired = [1, 2, 3, 4, 5, 6].map(
      (seq) => engine.apply(exchange(`r${seq}`, 1), seq, basePlan, scene) !== undefined,
    )
    expect(fired).toEqual([false, false, true, false, false, true])
  })

  it('during: a window since start, and a named phase', () => {
    const clock = manualClock(1_000_000)
    const engine = new FaultEngine(
      rules(
        { when: { during: 'outage' }, fault: err503 },
        { when: { during: { from: '1s', to: '2s' } }, fault: { type: 'reset' } },
      ),
      {
        seed: 1,
        clock,
        phases: [
          { name: 'warmup', startMs: 0, endMs: 5000 },
          { name: 'outage', startMs: 5000, endMs: 8000 },
        ],
      },
    )
    const at = (ms: number) =>
      engine.apply(exchange('x', 1, { arrivalMs: 1_000_000 + ms }), 1, basePlan, scene)?.faults[0]
    expect(at(500)).toBeUndefined()
    expect(at(1500)).toBe('reset')
    expect(at(5000)).toBe('error')
    expect(at(7999)).toBe('error')
    expect(at(8000)).toBeUndefined()
  })

  it('probability 0.1 over 10,000 attempts lands within statistical bounds, identically for the same seed', () => {
    const count = (seed: number) => {
      const engine = new FaultEngine(rules({ when: { probability: 0.1 }, fault: err503 }), { seed })
      const fired: number[] = []
      for (let i = 0; i < 10_000; i++) if (engine.apply(exchange(`p-${i}`, 1), i + 1, basePlan, scene)) fired.push(i)
      return fired
    }
    const a = count(42)
    // Binomial(10000, 0.1): mean 1000, sd 30; 5 sd either side.
    expect(a.length).toBeGreaterThan(850)
    expect(a.length).toBeLessThan(1150)
    expect(count(42)).toEqual(a)
    expect(count(43)).not.toEqual(a)
  })

  it('probability does not depend on the order requests arrive in', () => {
    const engine = new FaultEngine(rules({ when: { probability: 0.5 }, fault: err503 }), { seed: 9 })
    const ids = Array.from({ length: 200 }, (_, i) => `o-${i}`)
    const forward = ids.map((id, i) => engine.apply(exchange(id, 1), i + 1, basePlan, scene) !== undefined)
    const backward = [...ids]
      .reverse()
      .map((id, i) => engine.apply(exchange(id, 1), i + 1, basePlan, scene) !== undefined)
    expect(backward.reverse()).toEqual(forward)
  })

  it('rejects a rule with neither or both of fault and faults', () => {
    expect(ruleSchema.safeParse({ when: {} }).success).toBe(false)
    expect(ruleSchema.safeParse({ fault: err503, faults: [err503] }).success).toBe(false)
  })
})

describe('fail the first attempt, succeed on the second', () => {
  it('an SDK with one retry succeeds and the journal shows both attempts', () =>
    withUpstream(
      { faults: [{ when: { attempt: 1 }, fault: { type: 'error', status: 503, retry_after: '10ms' } }] },
      async (up) => {
        const client = new OpenAI({ apiKey: 'sk-fake', baseURL: `${up.url}/v1`, maxRetries: 1 })
        const res = await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'x [brownout:ff-1]' }],
        })
        expect(res.choices[0]?.finish_reason).toBe('stop')
        const entries = up.journal.list({ id: 'ff-1' })
        expect(entries.map((e) => [e.attempt, e.status, e.stainlessRetryCount, e.faults])).toEqual([
          [1, 503, 0, ['error']],
          [2, 200, 1, []],
        ])
      },
    ))

  it('every request id fails exactly once', () =>
    withUpstream({ faults: [{ when: { attempt: 1 }, fault: { type: 'error', status: 502 } }] }, async (up) => {
      const statuses: number[] = []
      for (const id of ['a', 'b', 'c']) {
        statuses.push((await postJson(`${up.url}/v1/chat/completions`, chatBody(id))).status)
        statuses.push((await postJson(`${up.url}/v1/chat/completions`, chatBody(id))).status)
      }
      expect(statuses).toEqual([502, 200, 502, 200, 502, 200])
    }))
})
