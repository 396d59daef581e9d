import { once } from 'node:events'
import http from 'node:http'
import net from 'node:net'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { chatBody, journalEntry, messagesBody, withUpstream } from '../helpers.js'

const openai = (url: string) => new OpenAI({ apiKey: 'sk-fake', baseURL: `${url}/v1`, maxRetries: 0 })
const anthropic = (url: string) => new Anthropic({ apiKey: 'sk-ant-fake', baseURL: url, maxRetries: 0 })
const always = (fault: Record<string, unknown>) => ({ faults: [{ fault }] })
const chat = '/v1/chat/completions'

type Caught = Error & { code?: string; status?: number }

async function caught(call: () => Promise<unknown>): Promise<Caught> {
  try {
    await call()
  } catch (err) {
    return err as Caught
  }
  throw new Error('expected a failure')
}

async function undiciBody(url: string, body: string): Promise<{ status: number; text: string }> {
  const res = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
  return { status: res.statusCode, text: await res.body.text() }
}

describe('connection faults are real on the wire', () => {
  it('reset before headers: ECONNRESET at the client', () =>
    withUpstream(always({ type: 'reset' }), async (up) => {
      const err = await caught(() => request(`${up.url}${chat}`, { method: 'POST', body: chatBody('r1') }))
      expect(err.code).toBe('ECONNRESET')
      expect(await journalEntry(up, 'r1')).toMatchObject({
        status: null,
        endedBy: 'reset',
        faults: ['reset'],
        rule: '0',
      })
    }))

  it('reset after headers: a 200 whose body read fails with ECONNRESET', () =>
    withUpstream(always({ type: 'reset', at: 'after-headers' }), async (up) => {
      const res = await request(`${up.url}${chat}`, { method: 'POST', body: chatBody('r2', { stream: true }) })
      expect(res.statusCode).toBe(200)
      expect((await caught(() => res.body.text())).code).toBe('ECONNRESET')
    }))

  it('reset after N body bytes: exactly N bytes arrive, then ECONNRESET', () =>
    withUpstream(always({ type: 'reset', at: 'after-bytes', bytes: 100 }), async (up) => {
      let received = 0
      const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
        const req = http.request(`${up.url}${chat}`, { method: 'POST' }, (res) => {
          res.on('data', (d: Buffer) => {
            received += d.length
          })
          res.on('error', resolve)
        })
        req.on('error', resolve)
        req.end(chatBody('r3', { stream: true }))
      })
      expect(err.code).toBe('ECONNRESET')
      expect(received).toBe(100)
      expect((await journalEntry(up, 'r3')).bytes).toBe(100)
    }))

  it('close before headers: an empty reply ("socket hang up" for node:http)', () =>
    withUpstream(always({ type: 'close' }), async (up) => {
      const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
        const req = http.request(`${up.url}${chat}`, { method: 'POST' })
        req.on('error', resolve)
        req.end(chatBody('c1'))
      })
      expect(err.message).toBe('socket hang up')
      expect(await journalEntry(up, 'c1')).toMatchObject({ status: null, endedBy: 'close' })
    }))

  it('hang: the socket stays open with nothing sent until the client gives up', () =>
    withUpstream(always({ type: 'hang' }), async (up) => {
      const started = performance.now()
      const err = await caught(() =>
        request(`${up.url}${chat}`, { method: 'POST', body: chatBody('h1'), headersTimeout: 300, bodyTimeout: 300 }),
      )
      expect(err.code).toBe('UND_ERR_HEADERS_TIMEOUT')
      expect(performance.now() - started).toBeGreaterThanOrEqual(290)
      const entry = await journalEntry(up, 'h1')
      expect(entry).toMatchObject({ endedBy: 'hang', clientDisconnected: true, status: null, bytes: 0 })
      expect(entry.durationMs).toBeGreaterThanOrEqual(280)
    }))

  it('garbage: bytes that are not HTTP at all', () =>
    withUpstream(always({ type: 'garbage', size: 32 }), async (up) => {
      const socket = net.connect(up.port, '127.0.0.1')
      await once(socket, 'connect')
      const body = chatBody('g1')
      socket.end(`POST ${chat} HTTP/1.1\r\nhost: x\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
      const chunks: Buffer[] = []
      socket.on('data', (d: Buffer) => chunks.push(d))
      await once(socket, 'close')
      const bytes = Buffer.concat(chunks)
      expect(bytes.length).toBe(32)
      expect(bytes.subarray(0, 5).toString('latin1')).not.toBe('HTTP/')
      const httpErr = await caught(() => request(`${up.url}${chat}`, { method: 'POST', body: chatBody('g2') }))
      expect(httpErr.message).toMatch(/HTTP/)
    }))
})

describe('error responses follow the provider', () => {
  it('error: any status with retry-after, retry-after-ms and x-should-retry', () =>
    withUpstream(always({ type: 'error', status: 503, retry_after: '1.5s', should_retry: true }), async (up) => {
      const err = await caught(() =>
        openai(up.url).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      )
      expect(err).toBeInstanceOf(OpenAI.InternalServerError)
      const e = err as InstanceType<typeof OpenAI.InternalServerError>
      expect(e.status).toBe(503)
      expect(e.headers?.get('retry-after')).toBe('2')
      expect(e.headers?.get('retry-after-ms')).toBe('1500')
      expect(e.headers?.get('x-should-retry')).toBe('true')
    }))

  it('error: Anthropic shape for /v1/messages', () =>
    withUpstream(always({ type: 'error', status: 500 }), async (up) => {
      const err = await caught(() =>
        anthropic(up.url).messages.create({
          model: 'claude-haiku-4-5',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'x' }],
        }),
      )
      expect(err).toBeInstanceOf(Anthropic.InternalServerError)
      expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
        type: 'error',
        error: { type: 'api_error' },
      })
    }))

  it('rate-limit: 429 with remaining at zero and Retry-After', () =>
    withUpstream(always({ type: 'rate-limit', limit: 'tokens', retry_after: '2s' }), async (up) => {
      const err = await caught(() =>
        openai(up.url).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      )
      expect(err).toBeInstanceOf(OpenAI.RateLimitError)
      const e = err as InstanceType<typeof OpenAI.RateLimitError>
      expect(e.code).toBe('rate_limit_exceeded')
      expect(e.type).toBe('tokens')
      expect(e.headers?.get('x-ratelimit-remaining-tokens')).toBe('0')
      expect(e.headers?.get('x-ratelimit-reset-tokens')).toBe('2s')
      expect(e.headers?.get('retry-after')).toBe('2')
      expect((await journalEntry(up, e.headers?.get('x-brownout-request-id') ?? '')).retryAfterMs).toBe(2000)
    }))

  it('rate-limit with a Retry-After range: each attempt its own seeded, unround value, whole seconds rounded up', () =>
    withUpstream(always({ type: 'rate-limit', retry_after: { min: '1.3s', max: '3.7s' } }), async (up) => {
      const seen: number[] = []
      for (const id of ['ra1', 'ra2', 'ra3', 'ra4', 'ra5', 'ra6']) {
        const res = await request(`${up.url}${chat}`, { method: 'POST', body: chatBody(id) })
        await res.body.text()
        const ms = Number(res.headers['retry-after-ms'])
        expect(res.statusCode).toBe(429)
        expect(ms).toBeGreaterThanOrEqual(1300)
        expect(ms).toBeLessThanOrEqual(3700)
        expect(Number.isInteger(ms)).toBe(true)
        expect(res.headers['retry-after']).toBe(String(Math.ceil(ms / 1000)))
        expect((await journalEntry(up, id)).retryAfterMs).toBe(ms)
        seen.push(ms)
      }
      expect(new Set(seen).size).toBe(seen.length)
      expect(seen.filter((ms) => ms % 100 === 0).length).toBeLessThan(2)
      // Seeded per attempt: the same request id and seed get the same value again on a fresh upstream.
      const again = await withUpstream(
        always({ type: 'rate-limit', retry_after: { min: '1.3s', max: '3.7s' } }),
        (u2) =>
          request(`${u2.url}${chat}`, { method: 'POST', body: chatBody('ra1') }).then(async (r) => {
            await r.body.text()
            return Number(r.headers['retry-after-ms'])
          }),
      )
      expect(again).toBe(seen[0])
    }))

  it('quota: OpenAI insufficient_quota 429 with no Retry-After', () =>
    withUpstream(always({ type: 'quota' }), async (up) => {
      const e = (await caught(() =>
        openai(up.url).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      )) as InstanceType<typeof OpenAI.RateLimitError>
      expect(e).toBeInstanceOf(OpenAI.RateLimitError)
      expect(e.code).toBe('insufficient_quota')
      expect(e.type).toBe('insufficient_quota')
      expect(e.headers?.get('retry-after')).toBeNull()
    }))

  it('quota: Anthropic spend limit with details.error_code', () =>
    withUpstream(always({ type: 'quota' }), async (up) => {
      const e = (await caught(() =>
        anthropic(up.url).messages.create({
          model: 'claude-haiku-4-5',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'x' }],
        }),
      )) as InstanceType<typeof Anthropic.RateLimitError>
      expect(e).toBeInstanceOf(Anthropic.RateLimitError)
      expect(e.error).toMatchObject({
        error: { type: 'rate_limit_error', details: { error_code: 'enforced_spend_limit_reached' } },
      })
    }))

  it('overloaded: Anthropic 529 overloaded_error, OpenAI 503', () =>
    withUpstream(always({ type: 'overloaded', retry_after: '1s' }), async (up) => {
      const a = (await caught(() =>
        anthropic(up.url).messages.create({
          model: 'claude-haiku-4-5',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'x' }],
        }),
      )) as InstanceType<typeof Anthropic.APIError>
      expect(a.status).toBe(529)
      expect(a.error).toMatchObject({ error: { type: 'overloaded_error', message: 'Overloaded' } })
      const o = (await caught(() =>
        openai(up.url).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      )) as InstanceType<typeof OpenAI.APIError>
      expect(o.status).toBe(503)
      expect(o.message).toContain('overloaded')
    }))

  it('malformed invalid-json: a 200 the SDK cannot parse', () =>
    withUpstream(always({ type: 'malformed', kind: 'invalid-json' }), async (up) => {
      const res = await undiciBody(`${up.url}${chat}`, chatBody('m1'))
      expect(res.status).toBe(200)
      expect(() => JSON.parse(res.text)).toThrow()
      await expect(
        openai(up.url).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      ).rejects.toThrow()
    }))

  it('malformed schema: valid JSON of the wrong shape', () =>
    withUpstream(always({ type: 'malformed', kind: 'schema' }), async (up) => {
      const res = await undiciBody(`${up.url}${chat}`, chatBody('m2'))
      expect(res.status).toBe(200)
      expect(JSON.parse(res.text).choices).toBeUndefined()
    }))

  it('malformed truncated: content-length promises more than arrives', () =>
    withUpstream(always({ type: 'malformed', kind: 'truncated' }), async (up) => {
      const res = await request(`${up.url}${chat}`, { method: 'POST', body: chatBody('m3') })
      expect(res.statusCode).toBe(200)
      expect(Number(res.headers['content-length'])).toBeGreaterThan(0)
      expect((await caught(() => res.body.text())).code).toBe('UND_ERR_SOCKET')
    }))

  it('malformed html: a CDN-style 502 page', () =>
    withUpstream(always({ type: 'malformed', kind: 'html' }), async (up) => {
      const res = await request(`${up.url}${chat}`, { method: 'POST', body: chatBody('m4') })
      expect(res.statusCode).toBe(502)
      expect(res.headers['content-type']).toBe('text/html')
      expect(await res.body.text()).toContain('<title>502 Bad Gateway</title>')
    }))
})

describe('stream faults', () => {
  it('stream-cut clean: the OpenAI SDK ends silently without [DONE] or finish_reason', () =>
    withUpstream(always({ type: 'stream-cut', after: 3 }), async (up) => {
      const raw = await undiciBody(`${up.url}${chat}`, chatBody('s1', { stream: true }))
      expect(raw.text).not.toContain('[DONE]')
      expect(raw.text.match(/^data: /gm)).toHaveLength(3)
      const stream = await openai(up.url).chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      })
      const chunks = []
      for await (const c of stream) chunks.push(c)
      expect(chunks).toHaveLength(3)
      expect(chunks.every((c) => c.choices[0]?.finish_reason === null)).toBe(true)
    }))

  it('stream-cut reset: the SDK stream fails mid-way', () =>
    withUpstream(always({ type: 'stream-cut', after: 2, mode: 'reset' }), async (up) => {
      const stream = await openai(up.url).chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      })
      let n = 0
      const err = await caught(async () => {
        for await (const _ of stream) n++
      })
      expect(n).toBe(2)
      expect(err.message).toMatch(/terminated|ECONNRESET/)
    }))

  it('stream-cut dirty: no terminating chunk, the body read fails', () =>
    withUpstream(always({ type: 'stream-cut', after: 2, mode: 'dirty' }), async (up) => {
      const res = await request(`${up.url}${chat}`, { method: 'POST', body: chatBody('s3', { stream: true }) })
      expect((await caught(() => res.body.text())).code).toBe('UND_ERR_SOCKET')
    }))

  it('stream-cut on Anthropic: no message_stop', () =>
    withUpstream(always({ type: 'stream-cut', after: 4 }), async (up) => {
      const raw = await undiciBody(`${up.url}/v1/messages`, messagesBody('s4', { stream: true }))
      expect(raw.text.match(/^event: /gm)).toHaveLength(4)
      expect(raw.text).not.toContain('message_stop')
      await expect(
        anthropic(up.url)
          .messages.stream({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] })
          .finalMessage(),
      ).rejects.toThrow()
    }))

  it('stream-stall: a pause of the configured length after N events, socket open', () =>
    withUpstream(always({ type: 'stream-stall', after: 2, duration: '400ms' }), async (up) => {
      const res = await fetch(`${up.url}${chat}`, {
        method: 'POST',
        body: chatBody('st1', { stream: true, max_tokens: 4 }),
      })
      const reader = res.body?.getReader()
      const times: number[] = []
      let text = ''
      const decoder = new TextDecoder()
      for (;;) {
        const r = await reader?.read()
        if (!r || r.done) break
        times.push(performance.now())
        text += decoder.decode(r.value)
      }
      // Read on the client, the gap can come out a little short of the stall: on a loaded machine the chunk before
      // it may be read late (the stall itself is timed by the upstream's clock).
      const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t))
      expect(Math.max(...gaps)).toBeGreaterThanOrEqual(350)
      expect(Math.max(...gaps)).toBeLessThan(700)
      expect(text).toContain('[DONE]')
    }))

  it('stream-error: OpenAI data: {"error"} surfaces as an APIError', () =>
    withUpstream(always({ type: 'stream-error', after: 2, message: 'upstream exploded' }), async (up) => {
      const stream = await openai(up.url).chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      })
      const err = await caught(async () => {
        for await (const _ of stream) {
        }
      })
      expect(err).toBeInstanceOf(OpenAI.APIError)
      expect(err.message).toContain('upstream exploded')
    }))

  it('stream-error: Anthropic event: error overloaded_error surfaces as an APIError', () =>
    withUpstream(always({ type: 'stream-error', after: 3 }), async (up) => {
      const err = await caught(() =>
        anthropic(up.url)
          .messages.stream({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] })
          .finalMessage(),
      )
      expect(err).toBeInstanceOf(Anthropic.APIError)
      expect(err.message).toContain('overloaded_error')
    }))

  it('stream-malformed unknown-event: the Anthropic SDK ignores it and completes', () =>
    withUpstream(always({ type: 'stream-malformed', after: 3, kind: 'unknown-event' }), async (up) => {
      const raw = await undiciBody(`${up.url}/v1/messages`, messagesBody('sm1', { stream: true }))
      expect(raw.text).toContain('event: brownout_unknown')
      const final = await anthropic(up.url)
        .messages.stream({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] })
        .finalMessage()
      expect(final.stop_reason).toBe('end_turn')
    }))

  it('stream-malformed bad-json: the OpenAI SDK fails to parse the frame', () =>
    withUpstream(always({ type: 'stream-malformed', after: 2, kind: 'bad-json' }), async (up) => {
      const stream = await openai(up.url).chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      })
      const err = await caught(async () => {
        for await (const _ of stream) {
        }
      })
      expect(err).toBeInstanceOf(SyntaxError)
    }))

  it('stream faults leave non-streaming responses alone and are not counted as fired', () =>
    withUpstream(always({ type: 'stream-cut', after: 1 }), async (up) => {
      const res = await undiciBody(`${up.url}${chat}`, chatBody('sn1'))
      expect(res.status).toBe(200)
      expect((await journalEntry(up, 'sn1')).faults).toEqual([])
    }))
})

describe('timing faults', () => {
  it('delay: headers wait for the configured delay', () =>
    withUpstream(always({ type: 'delay', duration: '300ms' }), async (up) => {
      const started = performance.now()
      const res = await request(`${up.url}${chat}`, { method: 'POST', body: chatBody('d1') })
      expect(performance.now() - started).toBeGreaterThanOrEqual(295)
      expect(performance.now() - started).toBeLessThan(600)
      await res.body.text()
      expect((await journalEntry(up, 'd1')).firstByteMs).toBeGreaterThanOrEqual(299)
    }))

  it('slow: a bandwidth limit stretches the body over time', () =>
    withUpstream(always({ type: 'slow', bytes_per_second: 4000 }), async (up) => {
      const started = performance.now()
      const res = await undiciBody(`${up.url}${chat}`, chatBody('sl1'))
      const elapsed = performance.now() - started
      const expected = (Buffer.byteLength(res.text) / 4000) * 1000
      expect(elapsed).toBeGreaterThanOrEqual(expected * 0.9)
      expect(elapsed).toBeLessThan(expected + 400)
      expect(JSON.parse(res.text).object).toBe('chat.completion')
    }))

  it('composes: delay then stream-cut in one rule', () =>
    withUpstream(
      {
        faults: [
          {
            faults: [
              { type: 'delay', duration: '200ms' },
              { type: 'stream-cut', after: 2 },
            ],
          },
        ],
      },
      async (up) => {
        const started = performance.now()
        const raw = await undiciBody(`${up.url}${chat}`, chatBody('cmp', { stream: true }))
        expect(performance.now() - started).toBeGreaterThanOrEqual(195)
        expect(raw.text.match(/^data: /gm)).toHaveLength(2)
        expect((await journalEntry(up, 'cmp')).faults).toEqual(['delay', 'stream-cut'])
      },
    ))
})
