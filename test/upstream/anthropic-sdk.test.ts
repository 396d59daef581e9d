import Anthropic from '@anthropic-ai/sdk'
import { describe, expect, it } from 'vitest'
import { useUpstream } from '../helpers.js'

const upstream = useUpstream()
const client = () => new Anthropic({ apiKey: 'sk-ant-fake', baseURL: upstream.current.url, maxRetries: 0 })
const user = (id: string) => [{ role: 'user' as const, content: `Say something. [brownout:${id}]` }]

describe('Anthropic SDK against the fake upstream', () => {
  it('parses a non-streaming message that ends its turn', async () => {
    const msg = await client().messages.create({ model: 'claude-sonnet-4-6', max_tokens: 1024, messages: user('an-1') })
    expect(msg.type).toBe('message')
    expect(msg.stop_reason).toBe('end_turn')
    const block = msg.content[0]
    expect(block?.type).toBe('text')
    expect(msg.usage.output_tokens).toBeGreaterThan(0)
  })

  it('stops at max_tokens with stop_reason max_tokens', async () => {
    const msg = await client().messages.create({ model: 'claude-sonnet-4-6', max_tokens: 4, messages: user('an-2') })
    expect(msg.stop_reason).toBe('max_tokens')
    expect(msg.usage.output_tokens).toBe(4)
  })

  it('streams every event type, ping included, with the same text as the non-streaming answer', async () => {
    const whole = await client().messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      messages: user('an-3'),
    })
    const stream = await client().messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      messages: user('an-3'),
      stream: true,
    })
    const types: string[] = []
    let text = ''
    for await (const event of stream) {
      types.push(event.type)
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text
    }
    expect(types[0]).toBe('message_start')
    expect(types).toContain('content_block_start')
    expect(types).toContain('content_block_stop')
    expect(types).toContain('message_delta')
    expect(types[types.length - 1]).toBe('message_stop')
    expect(whole.content[0]?.type === 'text' ? whole.content[0].text : '').toBe(text)
  })

  it('sends ping events on the wire (which the SDK skips)', async () => {
    const res = await fetch(`${upstream.current.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 8, stream: true, messages: user('an-ping') }),
    })
    const body = await res.text()
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(body).toContain('event: ping\ndata: {"type":"ping"}\n\n')
  })

  it('reaches a final message with stop reason and usage through messages.stream()', async () => {
    const final = await client()
      .messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 1024, messages: user('an-4') })
      .finalMessage()
    expect(final.stop_reason).toBe('end_turn')
    expect(final.usage.output_tokens).toBeGreaterThan(0)
    expect(final.usage.input_tokens).toBeGreaterThan(0)
  })

  it('returns a forced tool_use with input valid for the schema, streamed or not', async () => {
    const tools = [
      {
        name: 'search',
        description: 'search the docs',
        input_schema: {
          type: 'object' as const,
          properties: { query: { type: 'string' }, top_k: { type: 'integer', minimum: 1, maximum: 5 } },
          required: ['query', 'top_k'],
        },
      },
    ]
    const params = {
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      messages: user('an-5'),
      tools,
      tool_choice: { type: 'tool' as const, name: 'search' },
    }
    const msg = await client().messages.create(params)
    expect(msg.stop_reason).toBe('tool_use')
    const block = msg.content[0]
    const input = block?.type === 'tool_use' ? (block.input as { query: unknown; top_k: number }) : undefined
    expect(typeof input?.query).toBe('string')
    expect(input?.top_k).toBeGreaterThanOrEqual(1)
    const streamed = await client().messages.stream(params).finalMessage()
    expect(streamed.stop_reason).toBe('tool_use')
    expect(streamed.content[0]?.type === 'tool_use' ? streamed.content[0].input : undefined).toEqual(input)
  })

  it('exposes request-id and anthropic rate-limit headers with RFC 3339 resets', async () => {
    const { response } = await client()
      .messages.create({ model: 'claude-sonnet-4-6', max_tokens: 16, messages: user('an-6') })
      .withResponse()
    expect(response.headers.get('request-id')).toMatch(/^req_/)
    expect(Number(response.headers.get('anthropic-ratelimit-requests-remaining'))).toBeGreaterThan(0)
    expect(response.headers.get('anthropic-ratelimit-tokens-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(Number(response.headers.get('anthropic-ratelimit-tokens-remaining')) % 1000).toBe(0)
  })

  it('lists models in the Anthropic shape', async () => {
    const page = await client().models.list()
    expect(page.data.map((m) => m.id)).toContain('claude-sonnet-4-6')
    expect(page.data[0]?.type).toBe('model')
  })
})
