import { describe, expect, it } from 'vitest'
import { buildRequest } from '../src/load/request.js'
import { loadSchema } from '../src/scenario/schema.js'

const template = (request: Record<string, unknown>) => loadSchema.parse({ rate: 1, request }).request

describe('the requests the driver sends', () => {
  it('carries the id in a header and as a marker in the prompt, in each API’s body shape', () => {
    const chat = buildRequest(template({ api: 'openai.chat', stream: true, max_tokens: 8 }), 'brn-x-1')
    expect(chat.path).toBe('/v1/chat/completions')
    expect(chat.headers).toMatchObject({ 'x-brownout-request-id': 'brn-x-1', authorization: 'Bearer sk-brownout' })
    const body = JSON.parse(chat.body)
    expect(Object.keys(body)).toEqual(['model', 'messages', 'stream', 'stream_options', 'max_tokens'])
    expect(body.messages[0].content).toMatch(/ \[brownout:brn-x-1\]$/)
    const anthropic = JSON.parse(buildRequest(template({ api: 'anthropic.messages' }), 'a"b\\c').body)
    expect(anthropic).toMatchObject({ max_tokens: 1024, messages: [{ role: 'user' }] })
    expect(anthropic.messages[0].content).toMatch(/\[brownout:a"b\\c\]$/)
    expect(JSON.parse(buildRequest(template({ api: 'openai.embeddings' }), 'e').body).input).toMatch(/e\]$/)
  })

  it('gives each request its own id and headers object, and lets the mapping set paths, models and headers', () => {
    const t = template({ api: 'openai.chat', model: 'small', headers: { 'x-team': 'a' } })
    const mapping = { paths: { 'openai.chat': '/chat' }, models: { small: 'gpt-4o-mini' }, headers: { 'x-key': 'k' } }
    const one = buildRequest(t, 'id-1', mapping)
    const two = buildRequest(t, 'id-2', mapping)
    expect(one.path).toBe('/chat')
    expect(JSON.parse(one.body).model).toBe('gpt-4o-mini')
    expect(one.headers).toMatchObject({ 'x-team': 'a', 'x-key': 'k', 'x-brownout-request-id': 'id-1' })
    expect(two.headers['x-brownout-request-id']).toBe('id-2')
    expect(one.headers).not.toBe(two.headers)
    // Headers for one API go over the common ones, on that API's requests only.
    const perApi = {
      headers: { 'x-route': 'common' },
      apiHeaders: { 'anthropic.messages': { 'x-route': 'anthropic' } },
    }
    expect(buildRequest(t, 'id-4', perApi).headers['x-route']).toBe('common')
    expect(buildRequest(template({ api: 'anthropic.messages' }), 'id-5', perApi).headers['x-route']).toBe('anthropic')
    // A template that sets the id header itself keeps it.
    const own = buildRequest(template({ api: 'openai.chat', headers: { 'x-brownout-request-id': 'mine' } }), 'id-3')
    expect(own.headers['x-brownout-request-id']).toBe('mine')
  })
})
