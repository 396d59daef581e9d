import { describe, expect, it } from 'vitest'
import { postJson, withUpstream } from '../helpers.js'

const gemini = (maxOutputTokens: number, text = 'hi') => ({
  contents: [{ role: 'user', parts: [{ text }] }],
  generationConfig: { maxOutputTokens },
})

/** TPM accounting reads each dialect's own fields: a request's cost is its prompt estimate plus its output cap. */
describe('token cost per dialect', () => {
  it("counts a Gemini request's parts and maxOutputTokens against the TPM bucket", () =>
    withUpstream({ limits: { tpm: 100 } }, async (up) => {
      const url = `${up.url}/v1beta/models/gemini-2.0-flash:generateContent`
      const headers = { 'x-goog-api-key': 'k' }
      // A short prompt whose output cap alone is over the bucket (read as the default cap, it would fit).
      const capped = await postJson(url, gemini(500), headers)
      expect(capped.status).toBe(429)
      expect(JSON.stringify(capped.json)).toContain('RESOURCE_EXHAUSTED')
      expect((await postJson(url, gemini(10), headers)).status).toBe(200)
      // 400 characters of prompt (≈ 100 tokens) with a small cap: over the bucket by its prompt alone.
      expect((await postJson(url, gemini(10, 'x'.repeat(400)), headers)).status).toBe(429)
    }))

  it("counts an OpenAI request's max_completion_tokens, not only max_tokens", () =>
    withUpstream({ limits: { tpm: 100 } }, async (up) => {
      const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 500 }
      expect((await postJson(`${up.url}/v1/chat/completions`, body)).status).toBe(429)
    }))
})
