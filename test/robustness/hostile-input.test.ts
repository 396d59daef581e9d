import { once } from 'node:events'
import net from 'node:net'
import fc from 'fast-check'
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { postJson, useUpstream } from '../helpers.js'

const upstream = useUpstream({ max_body_bytes: 64 * 1024, models: ['gpt-4o-mini', 'claude-haiku-4-5'] })
const PATHS = ['/v1/chat/completions', '/v1/responses', '/v1/embeddings', '/v1/messages']

async function alive(): Promise<void> {
  const res = await fetch(`${upstream.current.url}/_brownout/health`)
  expect(res.status).toBe(200)
}

/** A provider-shaped error (or a success): JSON, never HTML, never a stack trace, never a 5xx. */
function expectProviderAnswer(status: number, text: string, path: string): void {
  expect(status, text).toBeLessThan(500)
  expect(text).not.toMatch(/<html|at \w+ \(|node:internal|TypeError|ReferenceError/)
  const json = JSON.parse(text)
  if (status >= 400) {
    if (path === '/v1/messages')
      expect(json).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } })
    else expect(json).toMatchObject({ error: { message: expect.any(String), type: expect.any(String) } })
  }
}

describe('the upstream under hostile input', () => {
  it('answers any JSON value at any endpoint with a provider-shaped answer, and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.jsonValue({ maxDepth: 6 }), async (path, value) => {
        const res = await postJson(`${upstream.current.url}${path}`, JSON.stringify(value), {
          'anthropic-version': '2023-06-01',
        })
        expectProviderAnswer(res.status, res.text, path)
      }),
      { numRuns: 150 },
    )
    await alive()
  })

  it('answers objects with the right keys but wrong types with a 400 naming the field', async () => {
    const wrong = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 2 }),
      fc.object({ maxDepth: 1 }),
    )
    await fc.assert(
      fc.asyncProperty(wrong, wrong, wrong, async (model, messages, maxTokens) => {
        const res = await postJson(`${upstream.current.url}/v1/chat/completions`, {
          model,
          messages,
          max_tokens: maxTokens,
        })
        expectProviderAnswer(res.status, res.text, '/v1/chat/completions')
      }),
      { numRuns: 150 },
    )
  })

  it('answers random bytes, invalid UTF-8 included, with a 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), async (bytes) => {
        const res = await request(`${upstream.current.url}/v1/chat/completions`, {
          method: 'POST',
          body: Buffer.from(bytes),
          headers: { 'content-type': 'application/json' },
        })
        const text = await res.body.text()
        expectProviderAnswer(res.statusCode, text, '/v1/chat/completions')
      }),
      { numRuns: 100 },
    )
  })

  it('survives very deep nesting', async () => {
    const res = await postJson(
      `${upstream.current.url}/v1/chat/completions`,
      `${'['.repeat(200_000)}${']'.repeat(200_000)}`.slice(0, 60_000),
    )
    expectProviderAnswer(res.status, res.text, '/v1/chat/completions')
    const deepObject = `{"model":"gpt-4o-mini","messages":${'['.repeat(10_000)}${']'.repeat(10_000)}}`
    const res2 = await postJson(`${upstream.current.url}/v1/chat/completions`, deepObject)
    expectProviderAnswer(res2.status, res2.text, '/v1/chat/completions')
    await alive()
  })

  it('refuses a huge body with 413 and keeps serving', async () => {
    const res = await postJson(
      `${upstream.current.url}/v1/chat/completions`,
      JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(1_000_000) }] }),
    )
    expect(res.status).toBe(413)
    await alive()
  })

  it('keeps serving while hundreds of slowloris and idle connections hang around', async () => {
    const sockets: net.Socket[] = []
    try {
      for (let i = 0; i < 1000; i++) {
        const s = net.connect(upstream.current.port, '127.0.0.1')
        s.on('error', () => undefined)
        if (i % 2 === 0) s.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: ') // never finished
        sockets.push(s)
      }
      await Promise.all(sockets.slice(-1).map((s) => once(s, 'connect')))
      const started = performance.now()
      const res = await postJson(`${upstream.current.url}/v1/chat/completions`, {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      })
      expect(res.status).toBe(200)
      expect(performance.now() - started).toBeLessThan(2000)
    } finally {
      for (const s of sockets) s.destroy()
    }
  })

  it('handles hundreds of clients aborting mid-stream: every attempt journaled, nothing left in flight', async () => {
    const before = upstream.current.journal.total
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const controller = new AbortController()
        const res = await request(`${upstream.current.url}/v1/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({
            model: 'gpt-4o-mini',
            stream: true,
            messages: [{ role: 'user', content: `x [brownout:abort-${i}]` }],
          }),
          signal: controller.signal,
        })
        for await (const _ of res.body) {
          controller.abort()
          break
        }
      }).map((p) => p.catch(() => undefined)),
    )
    const state = async () =>
      ((await (await fetch(`${upstream.current.url}/_brownout/state`)).json()) as { inFlight: number }).inFlight
    for (let i = 0; i < 100 && (await state()) > 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(await state()).toBe(0)
    expect(upstream.current.journal.total - before).toBe(200)
  })
})
