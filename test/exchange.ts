import { type Clock, manualClock } from '../src/clock.js'
import { bodyFacts } from '../src/dialects/dialect.js'
import { openaiChat } from '../src/dialects/openai-chat/index.js'
import type { FaultScene } from '../src/faults/fault.js'
import { type UpstreamConfigInput, upstreamConfigSchema } from '../src/upstream/config.js'
import type { Exchange } from '../src/upstream/exchange.js'
import { faultScene } from '../src/upstream/fault-scene.js'
import { RateLimiter } from '../src/upstream/limits.js'

/**
 * An OpenAI chat exchange for unit tests of handlers, faults and rules (no socket): `body` sets the request,
 * and its model and stream flag follow from it unless given.
 */
export function chatExchange(
  o: {
    id?: string
    attempt?: number
    seed?: number
    clock?: Clock
    config?: UpstreamConfigInput
    body?: unknown
  } & Partial<Exchange> = {},
): Exchange {
  const clock = o.clock ?? manualClock(1_800_000_000_000)
  const body = o.body ?? { model: 'gpt-4o-mini', stream: false, messages: [{ role: 'user', content: 'x' }] }
  const facts = bodyFacts({ body, params: {}, query: {} })
  const { id, seed, config, clock: _c, ...rest } = o
  return {
    upstream: {
      name: 'u',
      seed: seed ?? 1,
      clock,
      config: upstreamConfigSchema.parse(config ?? {}),
    },
    family: openaiChat.family,
    wire: openaiChat,
    method: 'POST',
    path: '/v1/chat/completions',
    headers: {},
    params: {},
    query: {},
    requestId: id ?? 'req-1',
    attempt: 1,
    arrivalMs: clock.now(),
    tokenCost: 1,
    limits: new RateLimiter({}, clock).snapshot(),
    refused: undefined,
    ...facts,
    ...rest,
    body,
  }
}

/** The fault scene of an exchange, as the upstream hands it to the rule engine. */
export function sceneOf(ex: Exchange): () => FaultScene {
  return () => faultScene(ex)
}
