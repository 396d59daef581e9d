import { type ChildProcess, spawn } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const GATEWAY = new URL('../../examples/gateways/gateway.mjs', import.meta.url).pathname

/** A whole Anthropic stream: message_start, deltas, message_stop. */
const STREAM = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"m","usage":{"input_tokens":1,"output_tokens":0}}}\n\n',
  ...Array.from(
    { length: 20 },
    (_, i) =>
      `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"w${i} "}}\n\n`,
  ),
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":20}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
].join('')

/**
 * The reference gateway's STREAM_PEEK (read the first event before committing) once lost the end of a stream that
 * arrived whole: the first chunk was the whole answer, the response ended while the gateway decided, and the stream
 * it had paused emitted 'end' before pipeStream listened again; the client got the answer, then 5 s later an idle
 * error. On a loaded machine brownout's own small streams arrive whole (CI lost 2–6 of 15 streams on
 * anthropic-stream-overloaded-fallback). Here an upstream sends the whole stream in one write, every time.
 */
describe('reference gateway, STREAM_PEEK, a stream that arrives in one write', () => {
  let upstream: http.Server
  let gateway: ChildProcess
  let port = 0

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.end(STREAM)
      })
    })
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
    gateway = spawn(process.execPath, [GATEWAY], {
      env: { ...process.env, PORT: '0', UPSTREAMS: upstreamUrl, STREAM_PEEK: '1', IDLE_TIMEOUT_MS: '3000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    port = await new Promise<number>((resolve, reject) => {
      gateway.once('exit', (code) => reject(new Error(`gateway exited (${code}) before listening`)))
      gateway.stdout?.on('data', (chunk: Buffer) => {
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(chunk.toString())
        if (m) resolve(Number(m[1]))
      })
    })
  })

  afterAll(async () => {
    if (gateway.pid !== undefined && gateway.exitCode === null) {
      const exited = new Promise((resolve) => gateway.once('exit', resolve))
      process.kill(gateway.pid, 'SIGTERM')
      await exited
    }
    await new Promise((resolve) => upstream.close(resolve))
  })

  it('passes the whole stream on and ends it, with no idle error', async () => {
    for (let i = 0; i < 3; i++) {
      const started = performance.now()
      const res = await fetch(`http://127.0.0.1:${port}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', stream: true, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }),
      })
      const text = await res.text()
      expect(res.status).toBe(200)
      expect(text).toBe(STREAM)
      // Ended by the upstream's end, not by the 3 s idle timer.
      expect(performance.now() - started).toBeLessThan(2_500)
    }
  })
})
