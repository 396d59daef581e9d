import { describe, expect, it } from 'vitest'
import { answerFacts, requestDigest, usageInWrites } from '../../src/dialects/passthrough.js'
import { grade } from '../../src/grade/grade.js'
import { att, fault503, rec, run } from './builders.js'

function check(data: ReturnType<typeof run>, key: string) {
  const c = grade(data).checks.find((x) => x.key === key)
  if (!c) throw new Error(`no check ${key}`)
  return c
}

const expecting = (key: string, threshold: string) => ({ expect: { [key]: threshold } })

const digest = (over: Partial<ReturnType<typeof requestDigest>> = {}) => ({
  ...requestDigest({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 }, false, ['content-type']),
  ...over,
})

describe('what the pass-through checks read', () => {
  it('reads usage and model in every family', () => {
    expect(answerFacts({ model: 'gpt-4o', usage: { prompt_tokens: 3, completion_tokens: 5 } })).toEqual({
      model: 'gpt-4o',
      usage: { input: 3, output: 5 },
    })
    expect(answerFacts({ type: 'message_start', message: { model: 'claude', usage: { input_tokens: 4 } } })).toEqual({
      model: 'claude',
      usage: { input: 4, output: null },
    })
    expect(answerFacts({ usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 7 }, modelVersion: 'g' })).toEqual(
      { model: 'g', usage: { input: 2, output: 7 } },
    )
    expect(
      answerFacts({
        type: 'response.completed',
        response: { model: 'm', usage: { input_tokens: 1, output_tokens: 2 } },
      }),
    ).toEqual({ model: 'm', usage: { input: 1, output: 2 } })
  })

  it('folds the usage a stream wrote, field by field (Anthropic sends output last)', () => {
    const start = `event: message_start\ndata: ${JSON.stringify({ message: { usage: { input_tokens: 9, output_tokens: 1 } } })}\n\n`
    const delta = `event: message_delta\ndata: ${JSON.stringify({ usage: { output_tokens: 12 } })}\n\n`
    expect(usageInWrites([start, 'data: {"usage":null}\n\n', delta])).toEqual({ input: 9, output: 12 })
    expect(usageInWrites(['data: {"choices":[],"usage":null}\n\n'])).toBeNull()
  })

  it('digests a request the same whatever the key order, and leaves transport headers out', () => {
    const a = requestDigest({ messages: [{ role: 'user', content: 'x' }], model: 'm' }, false, [
      'Host',
      'authorization',
    ])
    const b = requestDigest({ model: 'm', messages: [{ content: 'x', role: 'user' }] }, false, ['authorization'])
    expect(a).toEqual(b)
    expect(a.headers).toEqual(['authorization'])
  })

  it('digests a conversation to the same fingerprint as saved runs hold (FNV-1a of its canonical JSON)', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'user', content: 'héllo "x"' },
        { role: 'assistant', content: [{ type: 'text', text: 'a', cache: undefined }] },
      ],
      system: 's',
    }
    expect(requestDigest(body, false, ['Content-Type', 'host', 'x-b', 'content-type'])).toEqual({
      content: 'ffd937b8',
      maxTokens: null,
      stream: false,
      tools: 0,
      streamUsage: false,
      headers: ['content-type', 'x-b'],
    })
  })
})

describe('passthrough checks', () => {
  it('stream_buffering: the delay of the first token against the serving attempt, collapse in the evidence', () => {
    const key = 'passthrough.stream_buffering'
    // The upstream wrote its first frame 30 ms after arrival (at 10 ms) and its last 500 ms later.
    const up = (id: string) => att(id, 1, 10, { writes: 25, firstWriteMs: 30, lastWriteMs: 530, durationMs: 531 })
    const streaming = run(
      [rec('a', { ttftMs: 45, gapsMs: Array(24).fill(20) })],
      [up('a')],
      expecting(key, 'p(90) <= 100ms'),
    )
    expect(check(streaming, key)).toMatchObject({ verdict: 'pass', value: 5 })
    const buffered = run(
      [rec('a', { ttftMs: 545, gapsMs: Array(24).fill(0.1) })],
      [up('a')],
      expecting(key, 'p(90) <= 100ms'),
    )
    const c = check(buffered, key)
    expect(c).toMatchObject({ verdict: 'fail', value: 505 })
    expect(c.evidence).toMatch(/1 of 1 streams .* one burst/)
    const none = run([rec('a')], [att('a', 1, 0)], expecting(key, 'p(90) <= 100ms'))
    expect(check(none, key).verdict).toBe('no-evidence')
  })

  it('usage_preserved: lost, recomputed, and include_usage dropped on the way', () => {
    const key = 'passthrough.usage_preserved'
    const usage = { input: 12, output: 20 }
    const ok = run([rec('a', { usage })], [att('a', 1, 0, { usage })], expecting(key, '== 0'))
    expect(check(ok, key)).toMatchObject({ verdict: 'pass', value: 0 })
    const bad = run(
      [
        rec('lost', { usage: null }),
        rec('recomputed', { usage: { input: 13, output: 20 } }),
        rec('unasked', { usage: null, sent: digest({ stream: true, streamUsage: true }) }),
      ],
      [att('lost', 1, 0, { usage }), att('recomputed', 1, 0, { usage }), att('unasked', 1, 0, { usage: null })],
      expecting(key, '== 0'),
    )
    const c = check(bad, key)
    expect(c).toMatchObject({ verdict: 'fail', value: 3 })
    expect(c.evidence).toMatch(/1 lost it, 1 got other numbers .*, 1 streams asked for usage/)
    const old = run([rec('a')], [att('a', 1, 0)], expecting(key, '== 0'))
    expect(check(old, key).verdict).toBe('no-evidence')
  })

  it("model_preserved: the model of the attempt that served the answer, the fallback's after a fallback", () => {
    const key = 'passthrough.model_preserved'
    const fellBack = run(
      [rec('a', { answerModel: 'gpt-4o' })],
      [fault503('a', 1, 0), att('a', 2, 20, { upstream: 'fallback', model: 'gpt-4o' })],
      expecting(key, '== 0'),
    )
    const c = check(fellBack, key)
    expect(c).toMatchObject({ verdict: 'pass', value: 0 })
    expect(c.evidence).toMatch(/1 served by another model/)
    const renamed = run(
      [rec('a', { answerModel: 'gpt-4o-mini' })],
      [fault503('a', 1, 0), att('a', 2, 20, { upstream: 'fallback', model: 'gpt-4o' })],
      expecting(key, '== 0'),
    )
    expect(check(renamed, key)).toMatchObject({ verdict: 'fail', value: 1 })
    expect(check(renamed, key).evidence).toMatch(/gpt-4o → gpt-4o-mini/)
    expect(check(run([rec('a')], [att('a', 1, 0)], expecting(key, '== 0')), key).verdict).toBe('no-evidence')
  })

  it('request_fidelity: body fields judged, header names listed', () => {
    const key = 'passthrough.request_fidelity'
    const sent = digest()
    const same = run(
      [rec('a', { sent })],
      [att('a', 1, 0, { received: { ...sent, headers: ['content-type', 'x-forwarded-for'] } })],
      expecting(key, '== 0'),
    )
    const c = check(same, key)
    expect(c).toMatchObject({ verdict: 'pass', value: 0 })
    expect(c.evidence).toMatch(/headers added: x-forwarded-for \(1\)/)
    const changed = run(
      [rec('a', { sent })],
      [att('a', 1, 0, { received: { ...sent, maxTokens: null, headers: [] } })],
      expecting(key, '== 0'),
    )
    expect(check(changed, key)).toMatchObject({ verdict: 'fail', value: 1 })
    expect(check(changed, key).evidence).toMatch(/changed: max_tokens \(1\); headers dropped: content-type/)
    expect(check(run([rec('a')], [att('a', 1, 0)], expecting(key, '== 0')), key).verdict).toBe('no-evidence')
  })

  it('added_latency: client time less upstream time, on requests served by one attempt only', () => {
    const key = 'passthrough.added_latency'
    const data = run(
      [rec('a', { latencyMs: 60, sendLagMs: 2 }), rec('retried', { latencyMs: 500 })],
      [att('a', 1, 0, { durationMs: 40 }), fault503('retried', 1, 0), att('retried', 2, 100)],
      expecting(key, 'p(50) <= 25ms'),
    )
    expect(check(data, key)).toMatchObject({ verdict: 'pass', value: 18 })
    const slow = run(
      [rec('a', { latencyMs: 300 })],
      [att('a', 1, 0, { durationMs: 40 })],
      expecting(key, 'p(50) <= 25ms'),
    )
    expect(check(slow, key)).toMatchObject({ verdict: 'fail', value: 260 })
    expect(check(run([rec('a')], [], expecting(key, 'p(50) <= 25ms')), key).verdict).toBe('no-evidence')
  })
})
