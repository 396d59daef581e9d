import { describe, expect, it } from 'vitest'
import { buildRequest } from '../../src/load/request.js'
import { loadSchema } from '../../src/scenario/schema.js'

const template = (request: Record<string, unknown>) => loadSchema.parse({ rate: 1, request }).request

describe('the requests the driver sends to Gemini and Azure OpenAI', () => {
  it('puts the (mapped) model in the Gemini path, asks for SSE on streams, and sends x-goog-api-key', () => {
    const t = template({ api: 'gemini.generate', model: 'flash', stream: true, max_tokens: 8 })
    const req = buildRequest(t, 'g-1', { models: { flash: 'gemini-2.5-flash' } })
    expect(req.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
    expect(req.headers).toMatchObject({ 'x-goog-api-key': 'brownout-fake-key', 'x-brownout-request-id': 'g-1' })
    expect(JSON.parse(req.body)).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Write a short answer. [brownout:g-1]' }] }],
      generationConfig: { maxOutputTokens: 8 },
    })
    const plain = buildRequest(template({ api: 'gemini.generate', model: 'gemini-2.5-pro' }), 'g-2')
    expect(plain.path).toBe('/v1beta/models/gemini-2.5-pro:generateContent')
    expect(JSON.parse(plain.body).generationConfig).toBeUndefined()
  })

  it('asks Gemini for one embedding with embedContent, never a stream', () => {
    const req = buildRequest(template({ api: 'gemini.embed', model: 'text-embedding-004', stream: true }), 'e-1')
    expect(req.path).toBe('/v1beta/models/text-embedding-004:embedContent')
    expect(JSON.parse(req.body)).toEqual({
      model: 'models/text-embedding-004',
      content: { parts: [{ text: 'Write a short answer. [brownout:e-1]' }] },
    })
  })

  it('sends Azure chat to the deployment with an api-version and the api-key header', () => {
    const req = buildRequest(template({ api: 'azure.chat', model: 'prod-gpt4o', stream: true }), 'a-1')
    expect(req.path).toBe('/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21')
    expect(req.headers['api-key']).toBe('brownout-azure-key')
    expect(req.headers.authorization).toBeUndefined()
    expect(JSON.parse(req.body)).toMatchObject({ model: 'prod-gpt4o', stream: true })
  })
})
