import { describe, expect, it } from 'vitest'
import { readStreamError } from '../../src/dialects/families/gemini-read.js'
import { googleFamily } from '../../src/dialects/families/google.js'
import { RETRY_INFO, retryDelayOf } from '../../src/dialects/families/google-errors.js'

const details = (body: unknown) => (body as { error: { details?: Array<Record<string, unknown>> } }).error.details ?? []

describe('the Google family', () => {
  it('puts the retry delay in the body as RetryInfo, last, and sends no Retry-After header', () => {
    const spec = googleFamily.rateLimit({
      kind: 'requests',
      model: 'gemini-2.5-flash',
      limit: 15,
      used: 15,
      requested: 1,
      retryAfterMs: 2345,
    })
    const out = googleFamily.error(spec, { providerRequestId: 'req_1' })
    expect(out.headers).toEqual({})
    expect(out.type).toBe('RESOURCE_EXHAUSTED')
    const body = out.body as { error: Record<string, unknown> }
    expect(body.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' })
    expect(body.error.message).toContain('Please retry in 2.345s.')
    expect(details(body).map((d) => d['@type'])).toEqual([
      'type.googleapis.com/google.rpc.QuotaFailure',
      'type.googleapis.com/google.rpc.Help',
      RETRY_INFO,
    ])
    expect(retryDelayOf(body)).toBe(2345)
    expect(googleFamily.rateLimitHeaders('requests', 2345, 0)).toEqual({})
  })

  it('says nothing about when to retry when the rate limit is sent without one', () => {
    const spec = googleFamily.rateLimit({
      kind: 'tokens',
      model: null,
      limit: 1000,
      used: 1000,
      requested: 1,
      retryAfterMs: 2000,
      sendRetryAfter: false,
    })
    const body = googleFamily.error(spec, { providerRequestId: 'req_1' }).body
    expect(retryDelayOf(body)).toBeUndefined()
    expect(JSON.stringify(body)).not.toContain('retry in')
  })

  it('answers quota with a per-day QuotaFailure and no RetryInfo: waiting does not help', () => {
    const body = googleFamily.error(googleFamily.quota('insufficient_quota'), { providerRequestId: 'r' }).body
    const quota = details(body)[0] as { violations: Array<{ quotaId: string }> }
    expect(quota.violations[0]?.quotaId).toContain('PerDay')
    expect(retryDelayOf(body)).toBeUndefined()
  })

  it('is overloaded with a 503 UNAVAILABLE, in band as a data: {error} frame that names the status', () => {
    expect(googleFamily.overloaded()).toMatchObject({ status: 503, type: 'UNAVAILABLE' })
    const frame = googleFamily.streamError({})
    expect(frame).toMatch(/^data: \{"error":\{"code":503,.*"status":"UNAVAILABLE"\}\}\r\n\r\n$/)
    expect(readStreamError(JSON.parse(frame.slice(6)))).toBe('UNAVAILABLE')
    expect(googleFamily.streamError({ type: 'INTERNAL', message: 'boom' })).toContain('"code":500')
  })

  it('recognises Gemini clients by their API key header and reads Google error bodies', () => {
    expect(googleFamily.recognizes({ 'x-goog-api-key': 'k' })).toBe(true)
    expect(googleFamily.recognizes({ authorization: 'Bearer k' })).toBe(false)
    expect(googleFamily.errorShape('{"error":{"code":400,"message":"x","status":"INVALID_ARGUMENT"}}')).toEqual({
      wellFormed: true,
      type: 'INVALID_ARGUMENT',
    })
    expect(googleFamily.errorShape('{"error":{"message":"x","type":"server_error"}}').wellFormed).toBe(false)
  })
})
