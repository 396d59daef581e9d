import { describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { bodyFacts } from '../../src/dialects/dialect.js'
import { geminiFacts } from '../../src/dialects/families/gemini-facts.js'
import { FaultEngine, type Rule, ruleSchema } from '../../src/faults/rules.js'
import type { Plan } from '../../src/upstream/plan.js'
import { chatExchange, sceneOf } from '../exchange.js'
import { postJson, withUpstream } from '../helpers.js'

const user = { role: 'user', content: 'hi' }
const partial = { role: 'assistant', content: 'The answer so far' }

describe('the prefill fact (the request ends on an assistant turn), read by the dialect', () => {
  const facts = (body: unknown) => bodyFacts({ body, params: {}, query: {} }).prefill

  it('OpenAI chat and Anthropic messages: the last of `messages` is an assistant turn', () => {
    expect(facts({ model: 'm', messages: [user, partial] })).toBe(true)
    expect(facts({ model: 'm', messages: [user] })).toBe(false)
    expect(facts({ model: 'm', messages: [partial, user] })).toBe(false)
    expect(facts({ model: 'm', messages: [] })).toBe(false)
    expect(facts({ model: 'm' })).toBe(false)
    expect(facts(undefined)).toBe(false)
  })

  it('OpenAI responses: the last item of an `input` list is an assistant turn (a string input is not)', () => {
    expect(facts({ model: 'm', input: [user, partial] })).toBe(true)
    expect(facts({ model: 'm', input: 'hi' })).toBe(false)
  })

  it('Gemini: the last of `contents` has role `model`', () => {
    const gemini = (contents: unknown) => geminiFacts({ body: { contents }, params: { model: 'g' }, query: {} }, false)
    expect(
      gemini([
        { role: 'user', parts: [{ text: 'hi' }] },
        { role: 'model', parts: [{ text: 'so' }] },
      ]).prefill,
    ).toBe(true)
    expect(gemini([{ role: 'user', parts: [{ text: 'hi' }] }]).prefill).toBe(false)
  })
})

describe('when: { prefill }', () => {
  const plan: Plan = { status: 200, headers: {}, headersAtMs: 0, steps: [{ kind: 'end', atMs: 0 }] }
  const clock = manualClock()
  const rules = (...input: unknown[]): Rule[] => input.map((r) => ruleSchema.parse(r))
  const exchange = (messages: unknown[]) =>
    chatExchange({ id: 'p', attempt: 1, clock, arrivalMs: 0, body: { model: 'gpt-4o-mini', messages } })
  const scene = sceneOf(exchange([user]))

  it('fires on prefill requests only (true), or on the others only (false)', () => {
    const only = new FaultEngine(rules({ when: { prefill: true }, fault: { type: 'error', status: 400 } }), { seed: 1 })
    expect(only.apply(exchange([user, partial]), 1, plan, scene)?.faults).toEqual(['error'])
    expect(only.apply(exchange([user]), 2, plan, scene)).toBeUndefined()
    const others = new FaultEngine(rules({ when: { prefill: false }, fault: { type: 'error', status: 400 } }), {
      seed: 1,
    })
    expect(others.apply(exchange([user, partial]), 1, plan, scene)).toBeUndefined()
    expect(others.apply(exchange([user]), 2, plan, scene)?.faults).toEqual(['error'])
  })

  it('is validated: a boolean', () => {
    expect(ruleSchema.safeParse({ when: { prefill: 'yes' }, fault: { type: 'reset' } }).success).toBe(false)
  })

  it('end to end: the upstream refuses a prefill with the 400 of a model that does not support it; the journal marks it', () =>
    withUpstream(
      {
        faults: [
          {
            when: { prefill: true },
            fault: {
              type: 'error',
              status: 400,
              error_type: 'invalid_request_error',
              message: 'This model does not support assistant message prefill.',
            },
          },
        ],
      },
      async (up) => {
        const url = `${up.url}/v1/messages`
        const ask = (id: string, messages: unknown[]) =>
          postJson(url, { model: 'claude-haiku-4-5', max_tokens: 16, messages }, { 'x-brownout-request-id': id })
        const resumed = await ask('pf-1', [user, partial])
        expect(resumed.status).toBe(400)
        expect(resumed.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
        expect((await ask('pf-2', [user])).status).toBe(200)
        const [refused] = up.journal.list({ id: 'pf-1' })
        const [served] = up.journal.list({ id: 'pf-2' })
        expect([refused?.prefill, refused?.status, refused?.faults]).toEqual([true, 400, ['error']])
        expect(served && 'prefill' in served).toBe(false)
      },
    ))
})
