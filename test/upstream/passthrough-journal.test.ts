import { describe, expect, it } from 'vitest'
import { answerFacts, requestDigest } from '../../src/dialects/passthrough.js'
import { chatBody, journalEntry, messagesBody, postJson, useUpstream } from '../helpers.js'

const upstream = useUpstream({
  name: 'primary',
  latency: { ttft: { dist: 'fixed', value: 10 }, itl: { dist: 'fixed', value: 5 } },
})

describe('what the journal keeps for the pass-through checks', () => {
  it('a stream: its writes and their times, the usage it wrote, the request as it arrived', async () => {
    const body = chatBody('pt-1', { stream: true, stream_options: { include_usage: true }, max_tokens: 8 })
    const res = await postJson(`${upstream.current.url}/v1/chat/completions`, body, { 'x-custom': 'a' })
    const e = await journalEntry(upstream.current, 'pt-1')
    const frames = res.text.split('\n\n').filter((f) => f.startsWith('data: '))
    expect(e.writes).toBe(frames.length)
    expect(e.firstWriteMs).toBeGreaterThanOrEqual(9)
    // Later than the first write; not by the plan's ~35 ms: a loaded machine's late timers send writes together.
    expect(e.lastWriteMs ?? 0).toBeGreaterThan(e.firstWriteMs ?? 0)
    const last = frames.map((f) => answerFacts(JSON.parse(f.slice(6) === '[DONE]' ? '{}' : f.slice(6)))).at(-2)
    expect(e.usage).toEqual(last?.usage)
    expect(e.usage?.output).toBeGreaterThan(0)
    const { headers, ...fields } = requestDigest(JSON.parse(body), true, [])
    expect(e.received).toMatchObject(fields)
    expect(e.received?.headers).toContain('x-custom')
    expect(e.received?.headers).not.toContain('host')
  })

  it('a JSON answer: one write and its usage; a stream without include_usage: none', async () => {
    await postJson(`${upstream.current.url}/v1/messages`, messagesBody('pt-2'))
    const e = await journalEntry(upstream.current, 'pt-2')
    expect(e).toMatchObject({ writes: 1, received: { maxTokens: 64, stream: false, streamUsage: false } })
    expect(e.usage?.input).toBeGreaterThan(0)
    await postJson(`${upstream.current.url}/v1/chat/completions`, chatBody('pt-3', { stream: true }))
    expect((await journalEntry(upstream.current, 'pt-3')).usage).toBeNull()
  })
})
