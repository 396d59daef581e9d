import { once } from 'node:events'
import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { type RunningUpstream, startUpstream } from '../../src/upstream/server.js'

const body = JSON.stringify({
  model: 'gpt-4o-mini',
  stream: true,
  messages: [{ role: 'user', content: 'hi [brownout:held-1]' }],
})

/** Sends a chat request and resolves with the request (still open) once the response headers arrived. */
async function sendAndHold(url: string): Promise<http.ClientRequest> {
  const req = http.request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
  })
  req.on('error', () => undefined)
  req.end(body)
  await once(req, 'response')
  return req
}

async function journalOver(url: string, query: string): Promise<{ open: number; entries: Array<{ endedBy: string }> }> {
  return (await (await fetch(`${url}/_brownout/journal${query}`)).json()) as never
}

let upstream: RunningUpstream | undefined
afterEach(async () => {
  await upstream?.close()
  upstream = undefined
})

describe('an attempt is journaled when it arrives', () => {
  it('is open until it ends: id, attempt, rule and faults at once, then what it has sent so far', async () => {
    upstream = await startUpstream({
      port: 0,
      faults: [{ name: 'stuck', when: {}, fault: { type: 'hang', at: 'after-headers' } }],
    })
    const req = await sendAndHold(upstream.url)
    expect(upstream.journal.list()).toEqual([])
    const [open] = upstream.journal.openEntries()
    expect(open).toMatchObject({
      requestId: 'held-1',
      attempt: 1,
      rule: 'stuck',
      faults: ['hang'],
      status: 200,
      bytes: 0,
      endedBy: 'open',
      clientDisconnected: false,
    })
    expect(open?.firstByteMs).not.toBeNull()
    expect(await upstream.settled(20)).toBe(false)

    req.destroy()
    expect(await upstream.settled(5_000)).toBe(true)
    expect(upstream.journal.openEntries()).toEqual([])
    expect(upstream.journal.list()).toEqual([
      expect.objectContaining({ requestId: 'held-1', endedBy: 'hang', clientDisconnected: true, faults: ['hang'] }),
    ])
  })

  it('an open attempt that sent nothing yet has no status', async () => {
    upstream = await startUpstream({ port: 0, faults: [{ when: {}, fault: { type: 'hang' } }] })
    const req = http.request(`${upstream.url}/v1/chat/completions`, { method: 'POST' })
    req.on('error', () => undefined)
    req.end(body)
    const up = upstream
    // Arrival is journaled before anything is sent: wait for it without a fixed sleep.
    await new Promise<void>((resolve) => {
      const poll = () => (up.journal.openCount > 0 ? resolve() : setImmediate(poll))
      poll()
    })
    expect(upstream.journal.openEntries()).toEqual([
      expect.objectContaining({ status: null, bytes: 0, firstByteMs: null, endedBy: 'open', faults: ['hang'] }),
    ])
    req.destroy()
  })

  it('the admin API lists open attempts with state=open or state=all, and ended ones by default', async () => {
    upstream = await startUpstream({ port: 0, faults: [{ when: {}, fault: { type: 'hang', at: 'after-headers' } }] })
    const req = await sendAndHold(upstream.url)
    expect(await journalOver(upstream.url, '')).toMatchObject({ open: 1, entries: [] })
    expect((await journalOver(upstream.url, '?state=open')).entries).toEqual([
      expect.objectContaining({ endedBy: 'open' }),
    ])
    expect((await journalOver(upstream.url, '?state=all&id=held-1')).entries).toHaveLength(1)
    expect((await fetch(`${upstream.url}/_brownout/journal?state=hung`)).status).toBe(400)
    req.destroy()
  })
})
