import { describe, expect, it } from 'vitest'
import { chatBody, postJson, withUpstream } from '../helpers.js'

const chat = '/v1/chat/completions'
const put = (url: string, body: unknown) =>
  fetch(`${url}/_brownout/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('runtime control on /_brownout/', () => {
  it('switches faults at runtime with PUT /faults and lists them with GET', () =>
    withUpstream({}, async (up) => {
      expect((await postJson(`${up.url}${chat}`, chatBody('rt-1'))).status).toBe(200)
      const res = await put(up.url, { faults: [{ name: 'outage', fault: { type: 'error', status: 503 } }] })
      expect(res.status).toBe(200)
      expect((await postJson(`${up.url}${chat}`, chatBody('rt-2'))).status).toBe(503)
      const listed = (await (await fetch(`${up.url}/_brownout/faults`)).json()) as { faults: Array<{ name: string }> }
      expect(listed.faults.map((f) => f.name)).toEqual(['outage'])
      expect(up.journal.list({ id: 'rt-2' })[0]).toMatchObject({ rule: 'outage', faults: ['error'] })
      await fetch(`${up.url}/_brownout/faults`, { method: 'DELETE' })
      expect((await postJson(`${up.url}${chat}`, chatBody('rt-3'))).status).toBe(200)
    }))

  it('rejects invalid rules with every problem listed, changing nothing', () =>
    withUpstream({ faults: [{ fault: { type: 'delay', duration: 0 } }] }, async (up) => {
      const res = await put(up.url, {
        faults: [{ fault: { type: 'eror', status: 503 } }, { when: { during: 'outage' }, fault: { type: 'reset' } }],
      })
      expect(res.status).toBe(400)
      const body = (await res.json()) as { error: { problems: string[] } }
      expect(body.error.problems.join('\n')).toContain('faults.0.fault')
      const listed = (await (await fetch(`${up.url}/_brownout/faults`)).json()) as {
        faults: Array<{ fault: { type: string } }>
      }
      expect(listed.faults.map((f) => f.fault.type)).toEqual(['delay'])
      const phase = await put(up.url, [{ when: { during: 'outage' }, fault: { type: 'reset' } }])
      expect(((await phase.json()) as { error: { problems: string[] } }).error.problems[0]).toContain(
        '"outage" names no phase',
      )
    }))

  it('POST /reset clears the journal and attempt counters and restores the configured faults', () =>
    withUpstream({ faults: [{ when: { attempt: 1 }, fault: { type: 'error', status: 500 } }] }, async (up) => {
      expect((await postJson(`${up.url}${chat}`, chatBody('rs'))).status).toBe(500)
      await put(up.url, { faults: [] })
      await fetch(`${up.url}/_brownout/reset`, { method: 'POST' })
      expect(up.journal.total).toBe(0)
      expect((await postJson(`${up.url}${chat}`, chatBody('rs'))).status).toBe(500)
    }))

  it('GET /metrics is Prometheus text with requests by status and fault, in-flight, queue and histograms', () =>
    withUpstream({ faults: [{ when: { attempt: 1 }, fault: { type: 'error', status: 502 } }] }, async (up) => {
      await postJson(`${up.url}${chat}`, chatBody('mx'))
      await postJson(`${up.url}${chat}`, chatBody('mx'))
      const res = await fetch(`${up.url}/_brownout/metrics`)
      const text = await res.text()
      expect(res.headers.get('content-type')).toContain('text/plain')
      expect(text).toContain(
        'brownout_requests_total{upstream="upstream",path="/v1/chat/completions",status="502",fault="error"} 1',
      )
      expect(text).toContain(
        'brownout_requests_total{upstream="upstream",path="/v1/chat/completions",status="200",fault="none"} 1',
      )
      expect(text).toContain('brownout_in_flight{upstream="upstream"} 0')
      expect(text).toContain('brownout_queue_depth{upstream="upstream"} 0')
      expect(text).toContain('brownout_ttft_seconds_bucket')
      expect(text).toContain('brownout_request_duration_seconds_count')
    }))

  it('answers unknown admin paths with a JSON 404 that lists the endpoints', () =>
    withUpstream({}, async (up) => {
      const res = await fetch(`${up.url}/_brownout/nope`)
      expect(res.status).toBe(404)
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('/journal')
    }))
})

describe('header-driven faults', () => {
  const header = { 'x-brownout-fault': JSON.stringify({ type: 'error', status: 418 }) }

  it('are ignored unless enabled', () =>
    withUpstream({}, async (up) => {
      expect((await postJson(`${up.url}${chat}`, chatBody('hf-0'), header)).status).toBe(200)
    }))

  it('apply when enabled, one fault or a list', () =>
    withUpstream({ header_faults: true }, async (up) => {
      expect((await postJson(`${up.url}${chat}`, chatBody('hf-1'), header)).status).toBe(418)
      expect(up.journal.list({ id: 'hf-1' })[0]).toMatchObject({ rule: 'header', faults: ['error'] })
      const list = {
        'x-brownout-fault': JSON.stringify([
          { type: 'delay', duration: 1 },
          { type: 'error', status: 503 },
        ]),
      }
      expect((await postJson(`${up.url}${chat}`, chatBody('hf-2'), list)).status).toBe(503)
    }))

  it('explain a bad header with a 400 in the provider shape', () =>
    withUpstream({ header_faults: true }, async (up) => {
      const res = await postJson(`${up.url}${chat}`, chatBody('hf-3'), { 'x-brownout-fault': '{"type":"teapot"}' })
      expect(res.status).toBe(400)
      expect((res.json as { error: { message: string } }).error.message).toContain('Invalid x-brownout-fault header')
    }))
})
