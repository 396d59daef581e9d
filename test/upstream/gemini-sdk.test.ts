import { ApiError, GoogleGenAI } from '@google/genai'
import { describe, expect, it } from 'vitest'
import { retryDelayOf } from '../../src/dialects/families/google-errors.js'
import type { RunningUpstream } from '../../src/upstream/server.js'
import { postJson, useUpstream, withUpstream } from '../helpers.js'

const upstream = useUpstream({ provider: 'google' })
const MODEL = 'gemini-2.5-flash'
const prompt = (id: string) => `Say something. [brownout:${id}]`

/** The official SDK against an upstream; without retryOptions it makes exactly one attempt. */
const client = (url: string, retryOptions?: { attempts: number; initialDelay: number }) =>
  new GoogleGenAI({ apiKey: 'brownout', httpOptions: { baseUrl: url, ...(retryOptions ? { retryOptions } : {}) } })

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

describe('Google Gen AI SDK against the fake upstream', () => {
  it('reads a generateContent answer: text, STOP, usage that adds up, the model it asked for', async () => {
    const res = await client(upstream.current.url).models.generateContent({ model: MODEL, contents: prompt('g-1') })
    expect(res.text?.length).toBeGreaterThan(10)
    expect(res.candidates?.[0]?.finishReason).toBe('STOP')
    const usage = res.usageMetadata
    expect(usage?.totalTokenCount).toBe((usage?.promptTokenCount ?? 0) + (usage?.candidatesTokenCount ?? 0))
    expect(res.modelVersion).toBe(MODEL)
    expect(res.responseId).toMatch(/^[0-9a-f]+$/)
    const [entry] = await attemptsOf(upstream.current, 'g-1')
    expect(entry).toMatchObject({ provider: 'google', model: MODEL, stream: false, status: 200 })
  })

  it('stops at maxOutputTokens with MAX_TOKENS and that many candidate tokens', async () => {
    const res = await client(upstream.current.url).models.generateContent({
      model: MODEL,
      contents: prompt('g-2'),
      config: { maxOutputTokens: 5 },
    })
    expect(res.candidates?.[0]?.finishReason).toBe('MAX_TOKENS')
    expect(res.usageMetadata?.candidatesTokenCount).toBe(5)
  })

  it('streams the same text as the whole answer, the last chunk with the finish reason', async () => {
    const ai = client(upstream.current.url)
    const whole = await ai.models.generateContent({ model: MODEL, contents: prompt('g-same') })
    const chunks = []
    for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: prompt('g-same') }))
      chunks.push(chunk)
    expect(chunks.map((c) => c.text ?? '').join('')).toBe(whole.text)
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP')
    expect(chunks.slice(0, -1).every((c) => c.candidates?.[0]?.finishReason === undefined)).toBe(true)
    const streamed = (await attemptsOf(upstream.current, 'g-same')).at(-1)
    expect(streamed).toMatchObject({ stream: true, path: `/v1beta/models/${MODEL}:streamGenerateContent` })
  })

  it('embeds (the SDK sends batchEmbedContents) with the default and the asked dimensions, deterministically', async () => {
    const ai = client(upstream.current.url)
    const a = await ai.models.embedContent({ model: 'text-embedding-004', contents: ['hello', 'world'] })
    expect(a.embeddings?.map((e) => e.values?.length)).toEqual([768, 768])
    const b = await ai.models.embedContent({
      model: 'text-embedding-004',
      contents: 'hello',
      config: { outputDimensionality: 64 },
    })
    expect(b.embeddings?.[0]?.values).toHaveLength(64)
    const again = await ai.models.embedContent({ model: 'text-embedding-004', contents: 'hello' })
    expect(again.embeddings?.[0]?.values).toEqual(a.embeddings?.[0]?.values)
    const one = await postJson(`${upstream.current.url}/v1beta/models/text-embedding-004:embedContent`, {
      content: { parts: [{ text: 'hello' }] },
    })
    expect((one.json as { embedding: { values: number[] } }).embedding.values).toEqual(a.embeddings?.[0]?.values)
  })

  it('lists and gets models in Google shape', async () => {
    const ai = client(upstream.current.url)
    const names: string[] = []
    for await (const model of await ai.models.list()) names.push(model.name ?? '')
    expect(names).toContain(`models/${MODEL}`)
    const one = await ai.models.get({ model: MODEL })
    expect(one.name).toBe(`models/${MODEL}`)
    expect(await caught(() => ai.models.get({ model: 'gpt-4o' }))).toMatchObject({ status: 404 })
  })

  it('answers a bad body 400 INVALID_ARGUMENT, raised as ApiError', async () => {
    const res = await postJson(`${upstream.current.url}/v1beta/models/${MODEL}:generateContent`, { contents: [] })
    expect(res.status).toBe(400)
    expect(res.json).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } })
  })
})

describe('Google errors through the SDK', () => {
  it('a rate limit is 429 RESOURCE_EXHAUSTED with the drawn delay as RetryInfo and no Retry-After header', () =>
    withUpstream(
      { provider: 'google', faults: [{ fault: { type: 'rate-limit', retry_after: '2.5s' } }] },
      async (up) => {
        const err = await caught(() => client(up.url).models.generateContent({ model: MODEL, contents: prompt('e-1') }))
        expect(err).toBeInstanceOf(ApiError)
        expect((err as ApiError).status).toBe(429)
        const body = JSON.parse((err as ApiError).message)
        expect(body.error.status).toBe('RESOURCE_EXHAUSTED')
        expect(retryDelayOf(body)).toBe(2500)
        const raw = await postJson(`${up.url}/v1beta/models/${MODEL}:generateContent`, {
          contents: [{ parts: [{ text: prompt('e-1b') }] }],
        })
        expect(raw.headers.get('retry-after')).toBeNull()
        expect(raw.headers.get('retry-after-ms')).toBeNull()
        expect((await attemptsOf(up, 'e-1'))[0]).toMatchObject({ status: 429, retryAfterMs: 2500 })
      },
    ))

  it('overload is 503 UNAVAILABLE, raised as ApiError', () =>
    withUpstream({ provider: 'google', faults: [{ fault: { type: 'overloaded' } }] }, async (up) => {
      const err = await caught(() => client(up.url).models.generateContent({ model: MODEL, contents: prompt('e-2') }))
      expect(err).toBeInstanceOf(ApiError)
      expect((err as ApiError).status).toBe(503)
      expect(JSON.parse((err as ApiError).message).error.status).toBe('UNAVAILABLE')
    }))

  it('a stream error is an in-band {error} chunk after some text, raised as ApiError mid-stream', () =>
    withUpstream({ provider: 'google', faults: [{ fault: { type: 'stream-error', after: 3 } }] }, async (up) => {
      const texts: string[] = []
      const stream = await client(up.url).models.generateContentStream({ model: MODEL, contents: prompt('e-3') })
      const err = await caught(async () => {
        for await (const chunk of stream) texts.push(chunk.text ?? '')
      })
      expect(texts).toHaveLength(3)
      expect(err).toBeInstanceOf(ApiError)
      expect((err as ApiError).status).toBe(503)
    }))
})

describe("the SDK's own retry conduct", () => {
  it('does not retry at all unless told to: one attempt on a 503', () =>
    withUpstream(
      { provider: 'google', faults: [{ when: { attempt: 1 }, fault: { type: 'overloaded' } }] },
      async (up) => {
        await caught(() => client(up.url).models.generateContent({ model: MODEL, contents: prompt('s-1') }))
        expect(await attemptsOf(up, 's-1')).toHaveLength(1)
      },
    ))

  it('with retryOptions retries a 503 on its own backoff and succeeds', () =>
    withUpstream(
      { provider: 'google', faults: [{ when: { attempt: 1 }, fault: { type: 'overloaded' } }] },
      async (up) => {
        const ai = client(up.url, { attempts: 3, initialDelay: 0.05 })
        const res = await ai.models.generateContent({ model: MODEL, contents: prompt('s-2') })
        expect(res.text?.length).toBeGreaterThan(0)
        expect((await attemptsOf(up, 's-2')).map((e) => e.status)).toEqual([503, 200])
      },
    ))

  it("with retryOptions ignores RetryInfo: a 429 asking for 3 s is retried on the SDK's own short backoff", () =>
    withUpstream(
      { provider: 'google', faults: [{ when: { attempt: 1 }, fault: { type: 'rate-limit', retry_after: '3s' } }] },
      async (up) => {
        const ai = client(up.url, { attempts: 3, initialDelay: 0.05 })
        await ai.models.generateContent({ model: MODEL, contents: prompt('s-3') })
        const [first, second] = await attemptsOf(up, 's-3')
        expect(first?.status).toBe(429)
        expect(second?.status).toBe(200)
        // p-retry waits initialDelay × [1, 2): far below the 3 s the body asked for.
        expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeLessThan(1000)
      },
    ))

  it('with retryOptions does not retry a connection reset (p-retry passes fetch TypeErrors through)', () =>
    withUpstream({ provider: 'google', faults: [{ when: { attempt: 1 }, fault: { type: 'reset' } }] }, async (up) => {
      const ai = client(up.url, { attempts: 3, initialDelay: 0.05 })
      const err = await caught(() => ai.models.generateContent({ model: MODEL, contents: prompt('s-4') }))
      expect(err).toBeInstanceOf(TypeError)
      expect(await attemptsOf(up, 's-4')).toHaveLength(1)
    }))
})
