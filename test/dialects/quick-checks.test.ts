import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { quickMessages } from '../../src/dialects/anthropic-messages/quick-check.js'
import { messagesRequestSchema } from '../../src/dialects/anthropic-messages/server.js'
import { quickChat } from '../../src/dialects/openai-chat/quick-check.js'
import { chatRequestSchema } from '../../src/dialects/openai-chat/server.js'
import type { QuickCheck } from '../../src/dialects/quick-check.js'

/** Values of every JSON kind, plus the edge cases the checks care about. */
const anyValue = fc.oneof(
  fc.constantFrom(undefined, null, true, false, 0, -1, 1, 1.5, 2 ** 60, '', 'x', 'user', 'assistant', 'tool'),
  fc.constantFrom([], {}, [{}], { include_usage: true }, { include_usage: 'yes' }, [{ type: 'text', text: 'hi' }]),
  fc.jsonValue({ maxDepth: 2 }),
)
/** Mostly a plausible value, sometimes anything at all. */
const mostly = <T>(plausible: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: plausible, weight: 6 }, { arbitrary: anyValue as fc.Arbitrary<unknown>, weight: 1 })
const message = fc.record(
  {
    role: mostly(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'function', 'robot')),
    content: mostly(fc.string()),
  },
  { requiredKeys: [] },
)
const body = fc.record(
  {
    model: mostly(fc.constantFrom('gpt-4o-mini', 'claude-haiku-4-5')),
    messages: mostly(fc.array(message, { maxLength: 3 })),
    max_tokens: mostly(fc.integer({ min: -2, max: 100 })),
    max_completion_tokens: mostly(fc.constantFrom(undefined, null, 16)),
    system: mostly(fc.string()),
    stream: mostly(fc.boolean()),
    stream_options: mostly(fc.constantFrom(undefined, null, {}, { include_usage: false })),
    tools: mostly(fc.constant(undefined)),
    tool_choice: mostly(fc.constant(undefined)),
    extra: anyValue,
  },
  { requiredKeys: ['model', 'messages'] },
)

function holdsTo(quick: QuickCheck, schema: typeof chatRequestSchema | typeof messagesRequestSchema): void {
  let accepted = 0
  fc.assert(
    fc.property(body, (b) => {
      if (!quick(b)) return
      accepted++
      // What the fast path accepts, zod accepts too, and returns unchanged.
      const parsed = schema.safeParse(b)
      expect(parsed.success, JSON.stringify(b)).toBe(true)
      expect(parsed.data).toEqual(b)
    }),
    { numRuns: 3000, seed: 7 },
  )
  // The generator reaches the accepting side, so the property above is not vacuous.
  expect(accepted).toBeGreaterThan(10)
}

describe('quick checks (the hot path that skips zod)', () => {
  it('accept only chat bodies the chat schema accepts, unchanged', () => holdsTo(quickChat, chatRequestSchema))
  it('accept only messages bodies the messages schema accepts, unchanged', () =>
    holdsTo(quickMessages, messagesRequestSchema))

  it('take the bodies the official SDKs send for plain text requests', () => {
    const messages = [{ role: 'user', content: 'Say something.' }]
    expect(quickChat({ model: 'gpt-4o-mini', messages, max_tokens: 32 })).toBe(true)
    expect(quickChat({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } })).toBe(
      true,
    )
    expect(quickMessages({ model: 'claude-haiku-4-5', max_tokens: 32, messages, system: 'Be brief.' })).toBe(true)
  })
})
