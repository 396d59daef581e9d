import { describe, expect, it } from 'vitest'
import { answerFor, answerText } from '../../src/upstream/content.js'
import { startUpstream } from '../../src/upstream/server.js'
import { postJson } from '../helpers.js'

const CONTENT = { min_tokens: 16, max_tokens: 64 }

async function streamText(url: string, path: string, body: unknown): Promise<string> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const raw = await res.text()
  let text = ''
  for (const line of raw.split('\n')) {
    if (!line.startsWith('data: {')) continue
    const data = JSON.parse(line.slice(6))
    text += data.choices?.[0]?.delta?.content ?? data.delta?.text ?? ''
  }
  return text
}

describe('content is deterministic from seed, request id and max_tokens', () => {
  it('gives byte-identical content for the same seed and id, from two different upstreams, streamed or not', async () => {
    const a = await startUpstream({ port: 0, seed: 7, name: 'a' })
    const b = await startUpstream({ port: 0, seed: 7, name: 'b', provider: 'anthropic' })
    try {
      const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'q' }], max_tokens: 50 }
      const headers = { 'x-brownout-request-id': 'same-id' }
      const fromA = await postJson(`${a.url}/v1/chat/completions`, chat, headers)
      const fromB = await postJson(`${b.url}/v1/chat/completions`, chat, headers)
      const textA = (fromA.json as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content
      expect(textA).toBe(
        (fromB.json as typeof fromA.json & { choices: Array<{ message: { content: string } }> }).choices[0]?.message
          .content,
      )
      const streamed = await streamText(a.url, '/v1/chat/completions', {
        ...chat,
        stream: true,
        messages: [{ role: 'user', content: 'q [brownout:same-id]' }],
      })
      expect(streamed).toBe(textA)
      const anthropic = await streamText(b.url, '/v1/messages', {
        model: 'claude-haiku-4-5',
        max_tokens: 50,
        stream: true,
        messages: [{ role: 'user', content: 'q [brownout:same-id]' }],
      })
      expect(anthropic).toBe(textA)
      expect(textA).toBe(answerText(answerFor(7, 'same-id', 50, CONTENT)))
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('gives different content for a different id or a different seed', () => {
    const base = answerText(answerFor(7, 'id-1', undefined, CONTENT))
    expect(answerText(answerFor(7, 'id-2', undefined, CONTENT))).not.toBe(base)
    expect(answerText(answerFor(8, 'id-1', undefined, CONTENT))).not.toBe(base)
    expect(answerText(answerFor(7, 'id-1', undefined, CONTENT))).toBe(base)
  })

  it('cuts the same answer at max_tokens, so a shorter answer is a prefix of the full one', () => {
    const full = answerFor(3, 'cut', undefined, CONTENT)
    const cut = answerFor(3, 'cut', 5, CONTENT)
    expect(cut.tokens).toEqual(full.tokens.slice(0, 5))
    expect(cut.finish).toBe('length')
    expect(full.finish).toBe('stop')
  })

  it('keeps answer lengths within the configured range', () => {
    for (let i = 0; i < 200; i++) {
      const n = answerFor(1, `len-${i}`, undefined, { min_tokens: 3, max_tokens: 9 }).tokens.length
      expect(n).toBeGreaterThanOrEqual(3)
      expect(n).toBeLessThanOrEqual(9)
    }
  })
})
