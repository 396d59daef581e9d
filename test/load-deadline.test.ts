import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../src/clock.js'
import type { ClientRecord } from '../src/load/record.js'
import { buildRequest } from '../src/load/request.js'
import { DeadlineLag, type RecordBase, type SendContext, sendOne } from '../src/load/send.js'
import { requestTemplateSchema } from '../src/scenario/schema.js'
import { type RunningUpstream, startUpstream } from '../src/upstream/server.js'

const streamTemplate = requestTemplateSchema.parse({ stream: true, max_tokens: 4 })

/** Busy-waits: this process's event loop is blocked, as when brownout itself is overloaded. */
function blockLoop(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until);
}

const SSE =
  'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n' +
  'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n' +
  'data: [DONE]\n\n'

let closers: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const close of closers.reverse()) await close()
  closers = []
})

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  closers.push(async () => {
    server.closeAllConnections()
    server.close()
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function context(timeoutMs: number, connections = 8): SendContext & { lag: DeadlineLag } {
  const dispatcher = new Agent({ connections })
  closers.push(() => dispatcher.destroy())
  const stopper = new AbortController()
  closers.push(async () => stopper.abort())
  return {
    dispatcher,
    clock: systemClock,
    startMs: systemClock.now(),
    timeoutMs,
    signal: stopper.signal,
    lag: new DeadlineLag(),
  }
}

function send(ctx: SendContext, n: number, url: string): Promise<ClientRecord> {
  const id = `brn-deadline-${n}`
  const base: RecordBase = {
    id,
    n,
    api: 'openai.chat',
    model: 'gpt-4o-mini',
    stream: true,
    maxTokens: 4,
    phase: 'run',
    intendedAt: systemClock.now() - ctx.startMs,
  }
  const built = buildRequest(streamTemplate, id)
  return sendOne(ctx, base, streamTemplate, `${url}${built.path}`, built)
}

describe('the client deadline', () => {
  it('reads an answer that arrived while brownout was blocked instead of recording a hang', async () => {
    const timeoutMs = 200
    let sentAt = 0
    // The server answers in full at once, then blocks this process past the client's deadline: the answer sits in
    // the client's socket when the loop wakes up, and the loop runs its expired timers before it reads sockets.
    const url = await listen(
      createServer((req, res) => {
        req.resume()
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.end(SSE)
        blockLoop(sentAt + timeoutMs + 150 - performance.now())
      }),
    )
    const ctx = context(timeoutMs)
    sentAt = performance.now()
    const record = await send(ctx, 0, url)
    expect(record.outcome).toBe('ok')
    expect(record.events).toBe(3)
    expect(record.terminal).toBe(true)
    expect(record.error).toBeNull()
  })

  describe('recorded with what it cut off', () => {
    let upstream: RunningUpstream | undefined
    afterEach(async () => {
      await upstream?.close()
      upstream = undefined
    })

    it('a hang: no response headers, no events', async () => {
      upstream = await startUpstream({ port: 0, faults: [{ fault: { type: 'hang' } }] })
      const ctx = context(150)
      const record = await send(ctx, 1, upstream.url)
      expect(record.outcome).toBe('timeout')
      expect(record.error).toMatch(/^client deadline 150 ms passed \(no response headers, 0 events received\)/)
      expect(ctx.lag.passed).toBe(1)
    })

    it('a stalled stream: its status and the events that arrived', async () => {
      upstream = await startUpstream({
        port: 0,
        latency: { ttft: 0, itl: 0 },
        faults: [{ fault: { type: 'stream-stall', after: 2, duration: '30s' } }],
      })
      const ctx = context(300)
      const record = await send(ctx, 2, upstream.url)
      expect(record.outcome).toBe('timeout')
      expect(record.error).toMatch(/^client deadline 300 ms passed \(status 200, 2 events received\)/)
    })
  })

  it('settles at its deadline a request still waiting for a connection, and says it was never sent', async () => {
    // One connection, held by a request the server never answers: the second request queues in brownout's pool.
    const url = await listen(createServer(() => undefined))
    const holder = context(5_000, 1)
    const first = send(holder, 3, url)
    const queued = { ...holder, timeoutMs: 150, lag: new DeadlineLag() }
    const started = performance.now()
    const record = await send(queued, 4, url)
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(record.outcome).toBe('timeout')
    expect(record.error).toBe('client deadline 150 ms passed before a connection was free (request never sent)')
    expect(queued.lag.neverSent).toBe(1)
    await holder.dispatcher.destroy()
    await first
  })
})
