import { describe, expect, it } from 'vitest'
import { answerFacts, requestDigest } from '../../src/dialects/passthrough.js'
import { completeEntry } from '../../src/upstream/attempt-entry.js'
import type { JournalEntry } from '../../src/upstream/journal.js'
import type { Plan } from '../../src/upstream/plan.js'
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

  it('a chat completion: the usage its body reports (known when it was built, the same as read from the bytes)', async () => {
    const res = await postJson(`${upstream.current.url}/v1/chat/completions`, chatBody('pt-4', { max_tokens: 5 }))
    const e = await journalEntry(upstream.current, 'pt-4')
    expect(e.writes).toBe(1)
    expect(e.usage).toEqual(answerFacts(res.json).usage)
    expect(e.usage?.output).toBe(5)
  })

  it('a body rewritten under a usage its producer knew: the usage is read from the bytes that went out', () => {
    const data = '{"usage":{"prompt_tokens":3,"completion_tokens":4}}'
    const plan: Plan = {
      status: 200,
      headers: {},
      headersAtMs: 0,
      steps: [
        { kind: 'write', atMs: 0, data, usage: { data: '{"usage":{}}', input: 1, output: 2 } },
        { kind: 'end', atMs: 0 },
      ],
    }
    const entry = { receivedAt: 0 } as JournalEntry
    const result = { bytes: data.length, firstByteMs: 0, endedBy: 'end' as const, clientDisconnected: false, writes: 1 }
    completeEntry(entry, { plan, progress: result }, result, 1)
    expect(entry.usage).toEqual({ input: 3, output: 4 })
  })
})
