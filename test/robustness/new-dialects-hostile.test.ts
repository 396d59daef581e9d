import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { postJson, useUpstream } from '../helpers.js'

const upstream = useUpstream({
  max_body_bytes: 64 * 1024,
  models: ['gemini-2.5-flash', 'text-embedding-004', 'gpt-4o-mini'],
})
const GEMINI = [
  '/v1beta/models/gemini-2.5-flash:generateContent',
  '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
  '/v1beta/models/text-embedding-004:embedContent',
  '/v1beta/models/text-embedding-004:batchEmbedContents',
]
const AZURE = '/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21'

/** Never a 5xx, HTML or a stack trace; errors in the API's family shape (Google's for Gemini, OpenAI's for Azure). */
function expectProviderAnswer(status: number, text: string, path: string): void {
  expect(status, text).toBeLessThan(500)
  expect(text).not.toMatch(/<html|at \w+ \(|node:internal|TypeError|ReferenceError/)
  if (status < 400) return
  const json = JSON.parse(text)
  if (path === AZURE) expect(json).toMatchObject({ error: { message: expect.any(String), type: expect.any(String) } })
  else expect(json).toMatchObject({ error: { code: status, message: expect.any(String), status: expect.any(String) } })
}

describe('the Gemini and Azure endpoints under hostile input', () => {
  it('answer any JSON value with a provider-shaped answer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...GEMINI, AZURE), fc.jsonValue({ maxDepth: 6 }), async (path, value) => {
        const res = await postJson(`${upstream.current.url}${path}`, JSON.stringify(value))
        expectProviderAnswer(res.status, res.text, path)
      }),
      { numRuns: 100 },
    )
  })

  it('answer the right keys with wrong types 400 INVALID_ARGUMENT, never a crash', async () => {
    const notArray = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.object({ maxDepth: 1 }))
    const notString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.object({ maxDepth: 1 }))
    const notCount = fc.oneof(fc.string(), fc.integer({ max: 0 }), fc.double({ min: 0.1, max: 9.9 }), fc.constant(null))
    const body = fc.oneof(
      notArray.map((contents) => ({ contents })),
      notArray.map((parts) => ({ contents: [{ parts }] })),
      notString.map((text) => ({ contents: [{ parts: [{ text }] }] })),
      notCount.map((maxOutputTokens) => ({
        contents: [{ parts: [{ text: 'hi' }] }],
        generationConfig: { maxOutputTokens },
      })),
    )
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const path = GEMINI[0] ?? ''
        const res = await postJson(`${upstream.current.url}${path}`, value)
        expectProviderAnswer(res.status, res.text, path)
        expect(res.status).toBe(400)
        expect(JSON.parse(res.text).error.status).toBe('INVALID_ARGUMENT')
      }),
      { numRuns: 60 },
    )
  })
})
