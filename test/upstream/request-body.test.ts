import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { chatBody, journalEntry, postJson, useUpstream } from '../helpers.js'

const upstream = useUpstream({ name: 'primary' })
const chat = () => `${upstream.current.url}/v1/chat/completions`

describe('the journal says whether an attempt carried the request', () => {
  it('a whole, valid request: ok', async () => {
    await postJson(chat(), chatBody('rb-ok'), { 'x-brownout-request-id': 'rb-ok' })
    expect(await journalEntry(upstream.current, 'rb-ok')).toMatchObject({ status: 200, requestBody: 'ok' })
  })

  it('a POST without a body (a retry re-sent without it): empty, answered 400 by brownout itself', async () => {
    await postJson(chat(), '', { 'x-brownout-request-id': 'rb-empty' })
    expect(await journalEntry(upstream.current, 'rb-empty')).toMatchObject({ status: 400, requestBody: 'empty' })
  })

  it('a body that is not JSON, or that validation rejects: invalid', async () => {
    await postJson(chat(), '{"model": ', { 'x-brownout-request-id': 'rb-json' })
    expect(await journalEntry(upstream.current, 'rb-json')).toMatchObject({ status: 400, requestBody: 'invalid' })
    await postJson(chat(), { model: 'gpt-4o-mini' }, { 'x-brownout-request-id': 'rb-schema' })
    expect(await journalEntry(upstream.current, 'rb-schema')).toMatchObject({ status: 400, requestBody: 'invalid' })
  })

  it('headers that promise a body the sender never sends (Caddy 2.6 retries): incomplete', async () => {
    const { port } = new URL(upstream.current.url)
    const socket = connect(Number(port), '127.0.0.1')
    await new Promise<void>((resolve) => socket.once('connect', resolve))
    socket.write(
      'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n' +
        'content-length: 82\r\nx-brownout-request-id: rb-cut\r\n\r\n',
    )
    const entry = journalEntry(upstream.current, 'rb-cut')
    socket.end()
    expect(await entry).toMatchObject({ status: null, requestBody: 'incomplete', endedBy: 'client' })
  })
})
