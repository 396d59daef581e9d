import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { postJson, useUpstream } from '../helpers.js'

const upstream = useUpstream({
  models: ['gpt-4o-mini', 'text-embedding-3-small', 'claude-sonnet-4-6'],
  max_body_bytes: 4096,
})
const openai = () => new OpenAI({ apiKey: 'sk-fake', baseURL: `${upstream.current.url}/v1`, maxRetries: 0 })
const anthropic = () => new Anthropic({ apiKey: 'sk-ant-fake', baseURL: upstream.current.url, maxRetries: 0 })
const messages = [{ role: 'user' as const, content: 'hi' }]

/** Runs a call that must fail and returns the error. */
async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call()
  } catch (err) {
    return err
  }
  throw new Error('expected the call to fail')
}

describe('bad requests get what the provider would send', () => {
  it('OpenAI: invalid JSON is a 400 invalid_request_error saying the body is not JSON', async () => {
    const res = await postJson(`${upstream.current.url}/v1/chat/completions`, '{"model": ')
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.json).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining('could not parse the JSON') },
    })
  })

  it('OpenAI: a missing model is a BadRequestError', async () => {
    const err = await failure(() => openai().chat.completions.create({ messages } as never))
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('model')
  })

  it('OpenAI: missing messages names the parameter', async () => {
    const err = await failure(() => openai().chat.completions.create({ model: 'gpt-4o-mini' } as never))
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    const e = err as InstanceType<typeof OpenAI.BadRequestError>
    expect(e.param).toBe('messages')
    expect(e.code).toBe('missing_required_parameter')
  })

  it('OpenAI: a wrong type says what was expected and what came', async () => {
    const err = await failure(() =>
      openai().chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 'ten' } as never),
    )
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect((err as Error).message).toContain(
      "Invalid type for 'max_tokens': expected a number, but got a string instead.",
    )
  })

  it('OpenAI: an unknown model is a NotFoundError with code model_not_found', async () => {
    const err = await failure(() => openai().chat.completions.create({ model: 'gpt-9', messages }))
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found')
  })

  it('OpenAI: an unknown path is a 404 invalid URL, as JSON', async () => {
    const res = await postJson(`${upstream.current.url}/v1/chat/complete`, { model: 'gpt-4o-mini' })
    expect(res.status).toBe(404)
    expect(res.json).toMatchObject({ error: { message: 'Invalid URL (POST /v1/chat/complete)' } })
  })

  it('OpenAI: a wrong method is a 405 with the provider error shape', async () => {
    const res = await fetch(`${upstream.current.url}/v1/chat/completions`)
    expect(res.status).toBe(405)
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } })
  })

  it('OpenAI: an oversized body is a 413 with the provider error shape', async () => {
    const err = await failure(() =>
      openai().chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'x'.repeat(10_000) }],
      }),
    )
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(413)
  })

  it('Anthropic: a missing max_tokens is a BadRequestError "max_tokens: Field required"', async () => {
    const err = await failure(() => anthropic().messages.create({ model: 'claude-sonnet-4-6', messages } as never))
    expect(err).toBeInstanceOf(Anthropic.BadRequestError)
    const e = err as InstanceType<typeof Anthropic.BadRequestError>
    expect(e.error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    })
    expect(e.requestID).toMatch(/^req_/)
  })

  it('Anthropic: invalid JSON is a 400 in the Anthropic shape', async () => {
    const res = await postJson(`${upstream.current.url}/v1/messages`, '{nope', { 'anthropic-version': '2023-06-01' })
    expect(res.status).toBe(400)
    expect(res.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
  })

  it('Anthropic: an unknown model is a NotFoundError not_found_error', async () => {
    const err = await failure(() => anthropic().messages.create({ model: 'claude-0', max_tokens: 10, messages }))
    expect(err).toBeInstanceOf(Anthropic.NotFoundError)
  })

  it('Anthropic: a wrong type names the field', async () => {
    const err = await failure(() =>
      anthropic().messages.create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: 'hi' } as never),
    )
    expect(err).toBeInstanceOf(Anthropic.BadRequestError)
    expect((err as Error).message).toContain('messages:')
  })

  it('Anthropic: an oversized body is a 413 request_too_large', async () => {
    const err = await failure(() =>
      anthropic().messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'x'.repeat(10_000) }],
      }),
    )
    expect(err).toBeInstanceOf(Anthropic.APIError)
    const e = err as InstanceType<typeof Anthropic.APIError>
    expect(e.status).toBe(413)
    expect(e.error).toMatchObject({ error: { type: 'request_too_large' } })
  })

  it('Anthropic: an unknown path with Anthropic headers gets an Anthropic 404', async () => {
    const res = await postJson(`${upstream.current.url}/v1/complete`, {}, { 'anthropic-version': '2023-06-01' })
    expect(res.status).toBe(404)
    expect(res.json).toMatchObject({ type: 'error', error: { type: 'not_found_error' } })
  })

  it('never answers with HTML or a stack trace', async () => {
    const bodies = [
      '',
      '[]',
      'null',
      '{"model":{}}',
      '\u0000\u00ff',
      '{"model":"gpt-4o-mini","messages":[{"role":"robot"}]}',
    ]
    for (const body of bodies) {
      const res = await postJson(`${upstream.current.url}/v1/chat/completions`, body)
      expect(res.status, body).toBe(400)
      expect(res.text).not.toMatch(/<html|at \w+ \(|node:internal/i)
      expect(res.json).toMatchObject({ error: { type: 'invalid_request_error' } })
    }
  })

  it('records bad requests in the journal like any other', async () => {
    await postJson(`${upstream.current.url}/v1/chat/completions`, '{bad', { 'x-brownout-request-id': 'bad-1' })
    const entry = upstream.current.journal.list({ id: 'bad-1' })[0]
    expect(entry).toMatchObject({ status: 400, errorType: 'invalid_request_error', idSource: 'header' })
  })
})
