import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { chatCompletions } from '../../src/dialects/openai-chat/server.js'
import type { FaultContext } from '../../src/faults/fault.js'
import { FAULTS } from '../../src/faults/registry.js'
import { type Rng, rngFor } from '../../src/rng.js'
import type { Exchange } from '../../src/upstream/exchange.js'
import type { Plan } from '../../src/upstream/plan.js'
import { chatExchange, sceneOf } from '../exchange.js'
import { chatBody, journalEntry, withUpstream } from '../helpers.js'

const clock = manualClock(1_800_000_000_000)

function streamingExchange(id: string): Exchange {
  return chatExchange({
    id,
    seed: 3,
    clock,
    config: { latency: { ttft: '10ms', itl: '5ms' } },
    body: { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x' }] },
    tokenCost: 10,
  })
}

function faultContext(ex: Exchange, rng: Rng): FaultContext {
  return { ...sceneOf(ex)(), rng }
}

function bodyText(plan: Plan): string {
  return plan.steps.map((s) => (s.kind === 'write' ? s.data.toString() : '')).join('')
}

/** Faults that keep the provider's response and may only cut, delay or insert. */
const PASS_THROUGH = new Set([
  'delay',
  'reset',
  'close',
  'hang',
  'stream-cut',
  'stream-stall',
  'stream-error',
  'stream-malformed',
  'slow',
])

describe.each(FAULTS.map((f) => [f.type, f] as const))('fault contract: %s', (type, fault) => {
  const config = fault.schema.parse(fault.example) as never

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

  it('forwards every event it does not deliberately drop, in order', () => {
    const ex = streamingExchange('fwd-1')
    const base = chatCompletions(ex)
    const faulted = fault.apply(config, base, faultContext(ex, rngFor(3, 'fwd-1', 1, 'r', 0)))
    if (!PASS_THROUGH.has(type)) return
    const original = bodyText(base)
    let delivered = bodyText(faulted)
    if (type === 'stream-error' || type === 'stream-malformed') {
      const inserted = faulted.steps.filter((s) => s.kind === 'write' && !original.includes(s.data.toString()))
      expect(inserted).toHaveLength(1)
      for (const s of inserted) delivered = delivered.replace(s.kind === 'write' ? s.data.toString() : '', '')
    }
    expect(original.startsWith(delivered)).toBe(true)
    if (
      ['delay', 'slow', 'stream-malformed'].includes(type) ||
      (type === 'stream-stall' && 'duration' in (config as object))
    ) {
      expect(delivered).toBe(original)
    }
    const times = faulted.steps.map((s) => s.atMs)
    expect(times).toEqual([...times].sort((a, b) => a - b))
  })

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
