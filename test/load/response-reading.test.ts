import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/clock.js'
import type { ClientRecord } from '../../src/load/record.js'
import { sendOne, sniffSse } from '../../src/load/send.js'
import { requestTemplateSchema } from '../../src/scenario/schema.js'

const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`
const FINISH = `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`

/** Answers each request the way its path says: the ways a gateway can hand a stream (or an error) to a client. */
const ANSWERS: Record<string, (res: ServerResponse) => void> = {
  '/sse-no-type': (res) => {
    res.writeHead(200)
    res.end(`${chunk('Hello')}${chunk(' world')}${FINISH}data: [DONE]\n\n`)
  },
  '/sse-as-json': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write(': keep-alive\n\n')
    res.end(`${chunk('Hi')}${FINISH}data: [DONE]\n\n`)
  },
  '/sse-labelled': (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(`${chunk('Hi')}${FINISH}data: [DONE]\n\n`)
  },
  '/sse-no-done': (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(`${chunk('Hi')}${FINISH}`)
  },
  '/sse-in-band-error': (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(`${chunk('Hi')}data: {"error":{"message":"boom","type":"server_error"}}\n\ndata: [DONE]\n\n`)
  },
  '/sse-reset': (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(chunk('Hi'), () => setImmediate(() => res.socket?.resetAndDestroy()))
  },
  '/json-500': (res) => {
    res.writeHead(500, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: 'Internal Server Error', detail: 'x'.repeat(300) }))
  },
  '/hang': () => undefined,
}

let server: Server
let base = ''
const agent = new Agent()

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    req.on('end', () => ANSWERS[req.url ?? '']?.(res))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  server.close()
  await agent.close()
})

function send(path: string, stream = true, timeoutMs = 5_000): Promise<ClientRecord> {
  const template = requestTemplateSchema.parse({ api: 'openai.chat', model: 'm', stream })
  const startMs = systemClock.now()
  return sendOne(
    { dispatcher: agent, clock: systemClock, startMs, timeoutMs, signal: new AbortController().signal },
    { id: 'r1', n: 0, api: 'openai.chat', model: 'm', stream, maxTokens: null, phase: 'p', intendedAt: 0 },
    template,
    `${base}${path}`,
    { path, headers: { 'content-type': 'application/json' }, body: '{}' },
  )
}

describe('reading a stream whatever its content-type', () => {
  it('parses the events of a stream sent with no content-type, and records the missing label', async () => {
    const r = await send('/sse-no-type')
    expect(r.outcome).toBe('ok')
    expect(r.events).toBe(4)
    expect(r.text).toBe('Hello world')
    expect(r.terminal).toBe(true)
    expect(r.bodyError).toBeNull()
    expect(r.streamContentType).toBe('')
  })

  it('parses a stream labelled application/json that starts with a comment', async () => {
    const r = await send('/sse-as-json')
    expect(r.text).toBe('Hi')
    expect(r.streamContentType).toBe('application/json')
  })

  it('leaves a correctly labelled stream unflagged', async () => {
    const r = await send('/sse-labelled')
    expect(r.outcome).toBe('ok')
    expect(r.streamContentType).toBeNull()
  })

  it('sniffs SSE only from what a body starts with', () => {
    expect(sniffSse('  data: {}')).toBe(true)
    expect(sniffSse(': ping')).toBe(true)
    expect(sniffSse('eve')).toBeUndefined()
    expect(sniffSse('{"choices":[]}')).toBe(false)
    expect(sniffSse('<html>')).toBe(false)
  })
})

describe('a broken stream is its own outcome', () => {
  it('a stream that closes without its terminal event', async () => {
    const r = await send('/sse-no-done')
    expect(r.outcome).toBe('broken-stream')
    expect(r.error).toBeNull()
    expect(r.text).toBe('Hi')
  })

  it('a stream that carries an in-band error', async () => {
    const r = await send('/sse-in-band-error')
    expect(r.outcome).toBe('broken-stream')
    expect(r.inBandError).toBe('server_error')
  })

  it('a stream cut by a reset after its headers', async () => {
    const r = await send('/sse-reset')
    expect(r.outcome).toBe('broken-stream')
    expect(r.error).not.toBeNull()
    expect(r.events).toBe(1)
  })
})

describe('what the client got is kept', () => {
  it('the first 120 bytes of an error body', async () => {
    const r = await send('/json-500', false)
    expect(r.outcome).toBe('http-error')
    expect(r.bodyHead).toMatch(/^\{"error":"Internal Server Error","detail":"x+$/)
    expect(Buffer.byteLength(r.bodyHead ?? '')).toBe(120)
  })

  it('a client deadline is recorded as one, not as "Error"', async () => {
    const r = await send('/hang', false, 200)
    expect(r.outcome).toBe('timeout')
    expect(r.error).toMatch(/^client deadline \d+ ms passed/)
  })
})
