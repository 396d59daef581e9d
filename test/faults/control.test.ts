import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { chatBody, postJson, withUpstream } from '../helpers.js'

const chat = '/v1/chat/completions'
/** The admin API as supertest drives an express app: here the upstream's own listener, token check included. */
const admin = (url: string) => request(url)

describe('runtime control on /_brownout/', () => {
  it('switches faults at runtime with PUT /faults and lists them with GET', () =>
    withUpstream({}, async (up) => {
      expect((await postJson(`${up.url}${chat}`, chatBody('rt-1'))).status).toBe(200)
      await admin(up.url)
        .put('/_brownout/faults')
        .send({ faults: [{ name: 'outage', fault: { type: 'error', status: 503 } }] })
        .expect(200)
      expect((await postJson(`${up.url}${chat}`, chatBody('rt-2'))).status).toBe(503)
      const listed = await admin(up.url).get('/_brownout/faults').expect(200).expect('content-type', /json/)
      expect(listed.body.faults.map((f: { name: string }) => f.name)).toEqual(['outage'])
      expect(up.journal.list({ id: 'rt-2' })[0]).toMatchObject({ rule: 'outage', faults: ['error'] })
      await admin(up.url).delete('/_brownout/faults').expect(200, { faults: [] })
      expect((await postJson(`${up.url}${chat}`, chatBody('rt-3'))).status).toBe(200)
    }))

  it('rejects invalid rules with every problem listed, changing nothing', () =>
    withUpstream({ faults: [{ fault: { type: 'delay', duration: 0 } }] }, async (up) => {
      const res = await admin(up.url)
        .put('/_brownout/faults')
        .send({
          faults: [{ fault: { type: 'eror', status: 503 } }, { when: { during: 'outage' }, fault: { type: 'reset' } }],
        })
        .expect(400)
      expect(res.body.error.problems.join('\n')).toContain('faults.0.fault')
      const listed = await admin(up.url).get('/_brownout/faults').expect(200)
      expect(listed.body.faults.map((f: { fault: { type: string } }) => f.fault.type)).toEqual(['delay'])
      const phase = await admin(up.url)
        .put('/_brownout/faults')
        .send([{ when: { during: 'outage' }, fault: { type: 'reset' } }])
        .expect(400)
      expect(phase.body.error.problems[0]).toContain('"outage" names no phase')
      const notJson = await admin(up.url)
        .put('/_brownout/faults')
        .set('content-type', 'application/json')
        .send('{"faults": [')
        .expect(400)
      expect(notJson.body.error.type).toBe('brownout_admin_error')
    }))

  it('POST /reset clears the journal and attempt counters and restores the configured faults', () =>
    withUpstream({ faults: [{ when: { attempt: 1 }, fault: { type: 'error', status: 500 } }] }, async (up) => {
      expect((await postJson(`${up.url}${chat}`, chatBody('rs'))).status).toBe(500)
      await admin(up.url).put('/_brownout/faults').send({ faults: [] }).expect(200)
      await admin(up.url).post('/_brownout/reset').expect(200, { status: 'reset', faults: 1 })
      expect(up.journal.total).toBe(0)
      expect((await postJson(`${up.url}${chat}`, chatBody('rs'))).status).toBe(500)
    }))

  it('GET /metrics is Prometheus text with requests by status and fault, in-flight, queue and histograms', () =>
    withUpstream({ faults: [{ when: { attempt: 1 }, fault: { type: 'error', status: 502 } }] }, async (up) => {
      await postJson(`${up.url}${chat}`, chatBody('mx'))
      await postJson(`${up.url}${chat}`, chatBody('mx'))
      const res = await admin(up.url)
        .get('/_brownout/metrics')
        .expect(200)
        .expect('content-type', /text\/plain/)
      const text = res.text
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
      const res = await admin(up.url).get('/_brownout/nope').expect(404).expect('content-type', /json/)
      expect(res.body.error.message).toContain('/journal')
    }))

  it('asks for the admin token when one is set, and leaves /health open for readiness probes', () =>
    withUpstream({ admin_token: 's3cret-token' }, async (up) => {
      const denied = await admin(up.url).get('/_brownout/journal').expect(401)
      expect(denied.body.error.message).toContain('authorization: Bearer <token>')
      await admin(up.url).get('/_brownout/journal').set('authorization', 'Bearer wrong').expect(401)
      await admin(up.url).get('/_brownout/journal').set('authorization', 'Bearer s3cret-token').expect(200)
      await admin(up.url).get('/_brownout/health').expect(200)
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
