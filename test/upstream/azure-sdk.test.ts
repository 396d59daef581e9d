import { AzureOpenAI, InternalServerError, RateLimitError } from 'openai'
import { describe, expect, it } from 'vitest'
import type { RunningUpstream } from '../../src/upstream/server.js'
import { postJson, useUpstream, withUpstream } from '../helpers.js'

const upstream = useUpstream()
const API_VERSION = '2024-10-21'
const user = (id: string) => [{ role: 'user' as const, content: `Say something. [brownout:${id}]` }]

/** The openai SDK's Azure client, bound to one deployment: the model goes in the path, `api-key` is the auth. */
const azure = (url: string, deployment = 'gpt-4o-mini') =>
  new AzureOpenAI({ endpoint: url, apiKey: 'azure-fake', apiVersion: API_VERSION, deployment, maxRetries: 0 })

async function caught(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call()
  } catch (err) {
    return err
  }
  throw new Error('expected a failure')
}

const attemptsOf = async (up: RunningUpstream, id: string) => {
  await up.settled(1000)
  return up.journal.list({ id }).sort((a, b) => a.attempt - b.attempt)
}

describe('AzureOpenAI (openai SDK) against the fake upstream', () => {
  it('gets a chat completion from /openai/deployments/{deployment}/chat/completions?api-version=…', async () => {
    // Bound to a deployment, the SDK's body may carry an empty model: the deployment names it.
    const res = await azure(upstream.current.url).chat.completions.create({ model: '', messages: user('az-1') })
    expect(res.choices[0]?.finish_reason).toBe('stop')
    expect(res.choices[0]?.message.content?.length).toBeGreaterThan(10)
    expect(res.model).toBe('gpt-4o-mini')
    const [entry] = await attemptsOf(upstream.current, 'az-1')
    expect(entry).toMatchObject({
      path: '/openai/deployments/gpt-4o-mini/chat/completions',
      model: 'gpt-4o-mini',
      provider: 'openai',
      status: 200,
    })
  })

  it('streams the same text as the whole answer', async () => {
    const client = azure(upstream.current.url)
    const whole = await client.chat.completions.create({ model: '', messages: user('az-same') })
    let text = ''
    for await (const chunk of await client.chat.completions.create({
      model: '',
      messages: user('az-same'),
      stream: true,
    }))
      text += chunk.choices[0]?.delta?.content ?? ''
    expect(text).toBe(whole.choices[0]?.message.content)
  })

  it('answers 404 without the api-version query, as Azure does', async () => {
    const res = await postJson(
      `${upstream.current.url}/openai/deployments/gpt-4o-mini/chat/completions`,
      { messages: user('az-2') },
      { 'api-key': 'azure-fake' },
    )
    expect(res.status).toBe(404)
  })

  it('raises a rate limit as RateLimitError and an overload as InternalServerError', async () => {
    await withUpstream({ faults: [{ fault: { type: 'rate-limit', retry_after: '1s' } }] }, async (up) => {
      const err = await caught(() => azure(up.url).chat.completions.create({ model: '', messages: user('az-3') }))
      expect(err).toBeInstanceOf(RateLimitError)
    })
    await withUpstream({ faults: [{ fault: { type: 'overloaded' } }] }, async (up) => {
      const err = await caught(() => azure(up.url).chat.completions.create({ model: '', messages: user('az-4') }))
      expect(err).toBeInstanceOf(InternalServerError)
      expect((err as InternalServerError).status).toBe(503)
    })
  })
})
