import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { anthropicMessages } from '../../src/dialects/anthropic-messages/index.js'
import { messages } from '../../src/dialects/anthropic-messages/server.js'
import { chatCompletions } from '../../src/dialects/openai-chat/server.js'
import { type EffectDeclaration, effectOf } from '../../src/faults/effect.js'
import type { FaultContext } from '../../src/faults/fault.js'
import { FAULTS } from '../../src/faults/registry.js'
import { type Rng, rngFor } from '../../src/rng.js'
import type { Exchange } from '../../src/upstream/exchange.js'
import { type Plan, scalePlan } from '../../src/upstream/plan.js'
import { chatExchange, sceneOf } from '../exchange.js'
import { chatBody, journalEntry, withUpstream } from '../helpers.js'
import { eventsKept, planServer, readRaw, sdkText, sseEvents } from './plan-server.js'

const clock = manualClock(1_800_000_000_000)

function streamingExchange(id: string, provider: 'openai' | 'anthropic' = 'openai'): Exchange {
  const messages = [{ role: 'user', content: 'x' }]
  const config = { latency: { ttft: '10ms', itl: '5ms' } }
  if (provider === 'openai')
    return chatExchange({
      id,
      seed: 3,
      clock,
      config,
      body: { model: 'gpt-4o-mini', stream: true, messages },
      tokenCost: 10,
    })
  return chatExchange({
    id,
    seed: 3,
    clock,
    config,
    family: anthropicMessages.family,
    wire: anthropicMessages,
    path: '/v1/messages',
    body: { model: 'claude-haiku-4-5', max_tokens: 64, stream: true, messages },
    tokenCost: 10,
  })
}

function faultContext(ex: Exchange, rng: Rng): FaultContext {
  return { ...sceneOf(ex)(), rng }
}

function bodyText(plan: Plan): string {
  return plan.steps.map((s) => (s.kind === 'write' ? s.data.toString() : '')).join('')
}

describe.each(FAULTS.map((f) => [f.type, f] as const))('fault contract: %s', (type, fault) => {
  const config = fault.schema.parse(fault.example) as never
  const declared = (plan: Plan) => effectOf(fault.effect as EffectDeclaration<never>, config, plan)

  it('its example is valid', () => {
    expect(fault.schema.safeParse(fault.example).success).toBe(true)
  })

  it('is deterministic for a fixed seed and attempt', () => {
    const apply = () => {
      const ex = streamingExchange('det-1')
      return fault.apply(config, chatCompletions(ex), faultContext(ex, rngFor(3, 'det-1', 1, 'r', 0)))
    }
    expect(apply()).toEqual(apply())
  })

  it('keeps of the answer what its declared content says, in order', () => {
    const ex = streamingExchange('fwd-1')
    const base = chatCompletions(ex)
    const faulted = fault.apply(config, base, faultContext(ex, rngFor(3, 'fwd-1', 1, 'r', 0)))
    expect(faulted, 'its example fires on a streaming answer').not.toBe(base)
    const { content } = declared(faulted)
    const original = bodyText(base)
    // What the fault added (an error event, a bad frame, an error body) is not the answer's: set it aside.
    const kept = faulted.steps
      .flatMap((s) => (s.kind === 'write' && original.includes(s.data.toString()) ? [s.data.toString()] : []))
      .join('')
    if (content === 'all') expect(kept).toBe(original)
    if (content === 'prefix') {
      expect(original.startsWith(kept)).toBe(true)
      expect(kept.length < original.length || faulted.steps.at(-1)?.kind !== 'end').toBe(true)
    }
    if (content === 'none') expect(kept).toBe('')
    const times = faulted.steps.map((s) => s.atMs)
    expect(times).toEqual([...times].sort((a, b) => a - b))
  })

  it.each(['openai', 'anthropic'] as const)(
    'on a real socket (%s), the attempt is what its declared effect says',
    async (provider) => {
      const ex = streamingExchange(`wire-${type}`, provider)
      const base = provider === 'openai' ? chatCompletions(ex) : messages(ex)
      const faulted = fault.apply(config, base, faultContext(ex, rngFor(3, ex.requestId, 1, 'r', 0)))
      const { effect, content } = declared(faulted)
      const server = await planServer()
      try {
        // Every time shrunk a thousandfold (a 30 s stall takes 30 ms); what is sent, and in which order, is not.
        server.serve(scalePlan(base, 0.001))
        const original = await readRaw(server.url)
        const answer = sseEvents(original.body)
        const answerText = await sdkText(provider, server.url)
        expect(answerText).not.toBe('')
        server.serve(scalePlan(faulted, 0.001))
        // A hang never answers: what counts is what had arrived when the client gave up.
        const giveUpMs = faulted.steps.at(-1)?.kind === 'hang' ? 300 : undefined
        const seen = await readRaw(server.url, giveUpMs)
        const sdkRead = () => sdkText(provider, server.url, giveUpMs).catch(() => null)
        const { status } = seen
        if (effect === 'fatal') expect(status !== null && status >= 400 && status < 500, `status ${status}`).toBe(true)
        if (effect === 'transient')
          expect(status === null || status >= 500 || [408, 409, 429].includes(status), `status ${status}`).toBe(true)
        if (effect === 'mid-stream') {
          expect(status).toBe(200)
          expect(await sdkRead(), 'the SDK does not read the whole answer: the stream broke').not.toBe(answerText)
        }
        if (effect === 'none') {
          expect([status, seen.ended]).toEqual([200, true])
          expect(await sdkRead(), 'the SDK reads the whole answer').toBe(answerText)
        }
        const { kept, skipped } = eventsKept(answer, seen.body)
        expect(skipped, 'what survives is the answer from its start').toBe(false)
        if (content === 'all') expect(kept).toBe(answer.length)
        if (content === 'prefix') expect(kept < answer.length || !seen.ended).toBe(true)
        if (content === 'none') expect(kept).toBe(0)
      } finally {
        await server.close()
      }
    },
  )

  it('stops promptly when the client aborts', () =>
    withUpstream(
      { latency: { ttft: '50ms', itl: '40ms' }, faults: [{ fault: fault.example as never }] },
      async (up) => {
        const controller = new AbortController()
        const started = performance.now()
        const abortAt = setTimeout(() => controller.abort(), 120)
        try {
          const res = await request(`${up.url}/v1/chat/completions`, {
            method: 'POST',
            body: chatBody(`abort-${type}`, { stream: true }),
            signal: controller.signal,
          })
          await res.body.text()
        } catch {
          // aborted, reset, closed, garbage: all fine here; what matters is the upstream side
        } finally {
          clearTimeout(abortAt)
        }
        const entry = await journalEntry(up, `abort-${type}`, 2_000)
        expect(entry.durationMs).toBeLessThan(Math.max(1_000, performance.now() - started + 200))
        const state = (await (await fetch(`${up.url}/_brownout/state`)).json()) as { inFlight: number }
        expect(state.inFlight).toBe(0)
      },
    ))
})
