import { describe, expect, it } from 'vitest'
import { AttemptCounter, marker } from '../../src/upstream/correlation.js'
import { Journal } from '../../src/upstream/journal.js'
import { startUpstream } from '../../src/upstream/server.js'
import { postJson, useUpstream } from '../helpers.js'

const upstream = useUpstream({ name: 'primary' })

describe('the journal', () => {
  it('records what was sent: id, attempt, path, model, stream, status, bytes, SDK retry count', async () => {
    const body = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi [brownout:j-1]' }] }
    await postJson(`${upstream.current.url}/v1/chat/completions`, body, { 'x-stainless-retry-count': '0' })
    const second = await postJson(`${upstream.current.url}/v1/chat/completions`, body, {
      'x-stainless-retry-count': '1',
    })
    const entries = upstream.current.journal.list({ id: 'j-1' })
    expect(entries).toHaveLength(2)
    expect(entries[0]).toMatchObject({
      upstream: 'primary',
      idSource: 'marker',
      attempt: 1,
      path: '/v1/chat/completions',
      model: 'gpt-4o-mini',
      stream: true,
      status: 200,
      stainlessRetryCount: 0,
      clientDisconnected: false,
      endedBy: 'end',
    })
    expect(entries[1]?.attempt).toBe(2)
    expect(entries[1]?.stainlessRetryCount).toBe(1)
    expect(entries[1]?.bytes).toBe(Buffer.byteLength(second.text))
  })

  it('serves the journal over HTTP as JSON and JSONL, filtered by id', async () => {
    await postJson(
      `${upstream.current.url}/v1/embeddings`,
      { model: 'text-embedding-3-small', input: 'x' },
      { 'x-brownout-request-id': 'j-2' },
    )
    const json = (await (await fetch(`${upstream.current.url}/_brownout/journal?id=j-2`)).json()) as {
      entries: unknown[]
    }
    expect(json.entries).toHaveLength(1)
    const lines = await (await fetch(`${upstream.current.url}/_brownout/journal?format=jsonl&id=j-2`)).text()
    expect(
      lines
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).requestId),
    ).toEqual(['j-2'])
    const health = await (await fetch(`${upstream.current.url}/_brownout/health`)).json()
    expect(health).toMatchObject({ status: 'ok', upstream: 'primary' })
  })

  it('generates an id for requests without one', async () => {
    const res = await postJson(`${upstream.current.url}/v1/chat/completions`, {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    })
    expect(res.headers.get('x-brownout-request-id')).toMatch(/^anon-primary-\d+$/)
  })

  it('counts attempts across upstreams that share a counter', async () => {
    const second = await startUpstream({ port: 0, name: 'secondary', attempts: upstream.current.attempts })
    try {
      const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }
      await postJson(`${upstream.current.url}/v1/chat/completions`, body, { 'x-brownout-request-id': 'j-fo' })
      await postJson(`${second.url}/v1/chat/completions`, body, { 'x-brownout-request-id': 'j-fo' })
      expect(second.journal.list({ id: 'j-fo' })[0]).toMatchObject({
        attempt: 2,
        upstreamAttempt: 1,
        upstream: 'secondary',
      })
    } finally {
      await second.close()
    }
  })

  it('loses nothing under 1,000 concurrent requests', async () => {
    const before = upstream.current.journal.total
    const ids = Array.from({ length: 1000 }, (_, i) => `load-${i}`)
    const statuses = await Promise.all(
      ids.map(async (id, i) => {
        const stream = i % 2 === 0
        const res = await postJson(`${upstream.current.url}/v1/chat/completions`, {
          model: 'gpt-4o-mini',
          stream,
          messages: [{ role: 'user', content: `n ${marker(id)}` }],
        })
        return res.status
      }),
    )
    expect(statuses.every((s) => s === 200)).toBe(true)
    await upstream.current.settled(2000) // a client can finish a loop turn before its attempt is recorded as ended
    expect(upstream.current.journal.total - before).toBe(1000)
    const seen = new Set(upstream.current.journal.list().map((e) => e.requestId))
    expect(ids.every((id) => seen.has(id))).toBe(true)
  }, 60_000) // 1,000 requests take ~2 s on a quiet machine; a CI box running other jobs can take ten times that

  it('drops the oldest entries past its capacity and counts them', () => {
    const journal = new Journal(3)
    for (let i = 1; i <= 5; i++) journal.record({ seq: i } as never)
    expect(journal.list().map((e) => e.seq)).toEqual([3, 4, 5])
    expect(journal.dropped).toBe(2)
    expect(journal.total).toBe(5)
  })
})

describe('a bug in brownout itself', () => {
  it('answers 500 internal_error (no stack trace), journals it, and keeps serving', async () => {
    // An attempt counter that breaks on one id stands in for any exception inside the request handler.
    class Broken extends AttemptCounter {
      override next(id: string): number {
        if (id === 'boom') throw new Error('counter exploded')
        return super.next(id)
      }
    }
    const up = await startUpstream({ port: 0, attempts: new Broken() })
    try {
      const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }
      const res = await postJson(`${up.url}/v1/chat/completions`, body, { 'x-brownout-request-id': 'boom' })
      expect(res.status).toBe(500)
      await up.settled(1000)
      expect(JSON.parse(res.text)).toEqual({
        error: {
          message: 'brownout internal error: counter exploded',
          type: 'internal_error',
          param: null,
          code: null,
        },
      })
      expect(up.journal.list()).toEqual([
        expect.objectContaining({ status: 500, errorType: 'internal_error', path: '/v1/chat/completions', seq: 1 }),
      ])
      const next = await postJson(`${up.url}/v1/chat/completions`, body, { 'x-brownout-request-id': 'fine' })
      expect(next.status).toBe(200)
    } finally {
      await up.close()
    }
  })
})
