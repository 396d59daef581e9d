import { once } from 'node:events'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { systemClock } from '../../src/clock.js'
import type { Plan } from '../../src/upstream/plan.js'
import { play } from '../../src/upstream/player.js'

/** A server on port 0 that plays whatever plan it is given onto every request, whatever was asked. */
export async function planServer(): Promise<{ url: string; serve(plan: Plan): void; close(): Promise<void> }> {
  let current: Plan | undefined
  const server = createServer((req, res) => {
    req.resume()
    if (current) void play(res, current, systemClock.now(), systemClock)
    else res.writeHead(500).end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    serve: (plan) => {
      current = plan
    },
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

/** What a raw HTTP client saw: the status (null: none came), the body bytes, and whether the response ended properly. */
export interface Seen {
  status: number | null
  body: string
  ended: boolean
}

/**
 * POSTs and reads the raw response until it ends, breaks, or (with `giveUpMs`, for a plan that hangs) the client
 * gives up: a hang never answers, so what counts is what had arrived.
 */
export function readRaw(url: string, giveUpMs?: number): Promise<Seen> {
  return new Promise((resolve) => {
    const seen: Seen = { status: null, body: '', ended: false }
    let done = false
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      req.destroy()
      resolve(seen)
    }
    const timer = giveUpMs === undefined ? undefined : setTimeout(finish, giveUpMs)
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      seen.status = res.statusCode ?? null
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        seen.body += chunk
      })
      res.on('end', () => {
        seen.ended = res.complete
        finish()
      })
      res.on('error', finish)
      res.on('close', finish)
    })
    req.on('error', finish)
    req.end('{}')
  })
}

/** The answer's text as the provider's official SDK reads it from a stream (no retries); it throws if it cannot. */
export async function sdkText(provider: 'openai' | 'anthropic', url: string, timeoutMs = 5_000): Promise<string> {
  let text = ''
  const messages = [{ role: 'user' as const, content: 'hi' }]
  if (provider === 'openai') {
    const client = new OpenAI({ apiKey: 'sk-fake', baseURL: `${url}/v1`, maxRetries: 0, timeout: timeoutMs })
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    return text
  }
  const client = new Anthropic({ apiKey: 'sk-ant-fake', baseURL: url, maxRetries: 0, timeout: timeoutMs })
  const stream = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages, stream: true })
  for await (const event of stream)
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text
  return text
}

/** The events of an SSE body, each with its blank-line terminator. */
export function sseEvents(body: string): string[] {
  return body
    .split('\n\n')
    .filter((e) => e.trim() !== '')
    .map((e) => `${e}\n\n`)
}

/**
 * How many of the answer's events arrived, in order, from the first (an event missing ends the count), and whether
 * any later event arrived after a missing one (then what survived is not a prefix).
 */
export function eventsKept(original: readonly string[], body: string): { kept: number; skipped: boolean } {
  let at = 0
  let kept = 0
  for (const event of original) {
    const found = body.indexOf(event, at)
    if (found < 0) break
    kept++
    at = found + event.length
  }
  const skipped = original.slice(kept + 1).some((event) => body.indexOf(event, at) >= 0)
  return { kept, skipped }
}
