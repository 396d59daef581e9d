import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { useUpstream } from '../helpers.js'

const upstream = useUpstream()
const client = () => new OpenAI({ apiKey: 'sk-fake', baseURL: `${upstream.current.url}/v1`, maxRetries: 0 })
const user = (id: string) => [{ role: 'user' as const, content: `Say something. [brownout:${id}]` }]

describe('OpenAI SDK against the fake upstream', () => {
  it('parses a non-streaming chat completion with usage consistent with the content', async () => {
    const res = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: user('oa-1') })
    const choice = res.choices[0]
    expect(res.object).toBe('chat.completion')
    expect(choice?.finish_reason).toBe('stop')
    expect(choice?.message.content?.length).toBeGreaterThan(10)
    expect(res.usage?.total_tokens).toBe((res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0))
  })

  it('honours max_tokens with finish_reason length and that many completion tokens', async () => {
    const res = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: user('oa-2'), max_tokens: 5 })
    expect(res.choices[0]?.finish_reason).toBe('length')
    expect(res.usage?.completion_tokens).toBe(5)
  })

  it('streams chunks that share one id and created, ending with a usage chunk when asked', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user('oa-3'),
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1)
    expect(new Set(chunks.map((c) => c.created)).size).toBe(1)
    const last = chunks[chunks.length - 1]
    expect(last?.choices).toEqual([])
    expect(last?.usage?.completion_tokens).toBe(chunks.filter((c) => c.choices[0]?.delta.content).length)
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true)
  })

  it('streams content identical to the non-streaming answer for the same request id', async () => {
    const whole = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: user('oa-same') })
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user('oa-same'),
      stream: true,
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe(whole.choices[0]?.message.content)
  })

  it('reaches a final message through the chat.completions.stream() helper', async () => {
    const runner = client().chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: user('oa-4'),
      stream_options: { include_usage: true },
    })
    const final = await runner.finalChatCompletion()
    expect(final.choices[0]?.finish_reason).toBe('stop')
    expect(final.choices[0]?.message.content?.length).toBeGreaterThan(0)
    expect(final.usage?.completion_tokens).toBeGreaterThan(0)
  })

  it('returns a forced tool call whose arguments are valid JSON for the declared schema', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          parameters: {
            type: 'object',
            properties: {
              city: { type: 'string' },
              days: { type: 'integer', minimum: 1, maximum: 7 },
              unit: { type: 'string', enum: ['c', 'f'] },
            },
            required: ['city', 'days', 'unit'],
          },
        },
      },
    ]
    const res = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user('oa-5'),
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    })
    const call = res.choices[0]?.message.tool_calls?.[0]
    expect(res.choices[0]?.finish_reason).toBe('tool_calls')
    expect(call?.type).toBe('function')
    const args = JSON.parse(call?.type === 'function' ? call.function.arguments : '{}')
    expect(typeof args.city).toBe('string')
    expect(args.days).toBeGreaterThanOrEqual(1)
    expect(args.days).toBeLessThanOrEqual(7)
    expect(['c', 'f']).toContain(args.unit)
  })

  it('streams a tool call in pieces that the stream helper reassembles into valid JSON', async () => {
    const runner = client().chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: user('oa-6'),
      tools: [
        {
          type: 'function',
          function: {
            name: 'lookup',
            parameters: { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' } } },
          },
        },
      ],
      tool_choice: 'required',
    })
    const final = await runner.finalChatCompletion()
    const call = final.choices[0]?.message.tool_calls?.[0]
    expect(final.choices[0]?.finish_reason).toBe('tool_calls')
    const args = JSON.parse(call?.type === 'function' ? call.function.arguments : '')
    expect(Object.keys(args).sort()).toEqual(['limit', 'query'])
  })

  it('answers the Responses API without streaming', async () => {
    const res = await client().responses.create({ model: 'gpt-4o-mini', input: 'Hello [brownout:oa-7]' })
    expect(res.status).toBe('completed')
    expect(res.output_text.length).toBeGreaterThan(0)
    expect(res.usage?.output_tokens).toBeGreaterThan(0)
  })

  it('streams the Responses API through response.completed with the same text', async () => {
    const whole = await client().responses.create({ model: 'gpt-4o-mini', input: 'Hello [brownout:oa-8]' })
    const stream = client().responses.stream({ model: 'gpt-4o-mini', input: 'Hello [brownout:oa-8]' })
    const types = new Set<string>()
    stream.on('event', (e) => types.add(e.type))
    const final = await stream.finalResponse()
    expect(types.has('response.created')).toBe(true)
    expect(types.has('response.output_text.delta')).toBe(true)
    expect(types.has('response.completed')).toBe(true)
    expect(final.output_text).toBe(whole.output_text)
  })

  it('marks a Responses answer cut by max_output_tokens as incomplete', async () => {
    const res = await client().responses.create({
      model: 'gpt-4o-mini',
      input: 'Hi [brownout:oa-9]',
      max_output_tokens: 3,
    })
    expect(res.status).toBe('incomplete')
    expect(res.incomplete_details?.reason).toBe('max_output_tokens')
    expect(res.usage?.output_tokens).toBe(3)
  })

  it('returns embeddings with the asked dimensions, for list input, decoded from base64 by the SDK', async () => {
    const res = await client().embeddings.create({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      dimensions: 256,
    })
    expect(res.data).toHaveLength(2)
    expect(res.data[0]?.embedding).toHaveLength(256)
    const norm = Math.hypot(...(res.data[0]?.embedding ?? []))
    expect(norm).toBeCloseTo(1, 4)
    const again = await client().embeddings.create({
      model: 'text-embedding-3-small',
      input: 'a',
      dimensions: 256,
      encoding_format: 'float',
    })
    expect(again.data[0]?.embedding).toEqual(res.data[0]?.embedding)
  })

  it('lists models', async () => {
    const page = await client().models.list()
    expect(page.data.map((m) => m.id)).toContain('gpt-4o-mini')
  })

  it('exposes provider headers with live rate-limit values', async () => {
    const { response } = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: user('oa-10') })
      .withResponse()
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]+$/)
    expect(Number(response.headers.get('openai-processing-ms'))).toBeGreaterThanOrEqual(0)
    const remaining = Number(response.headers.get('x-ratelimit-remaining-requests'))
    expect(remaining).toBeLessThan(Number(response.headers.get('x-ratelimit-limit-requests')))
    expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+ms|(\d+h)?(\d+m)?[\d.]+s)$/)
  })
})
