import { describe, expect, it } from 'vitest'
import { shouldRetryEffect } from '../../src/faults/error.js'
import { faultSchema } from '../../src/faults/registry.js'
import { chatBody, journalEntry, messagesBody, postJson, withUpstream } from '../helpers.js'

const always = (fault: Record<string, unknown>) => ({ faults: [{ fault }] })
const chat = '/v1/chat/completions'
const RETRY_HEADERS = ['retry-after', 'retry-after-ms']
const RESET_HEADERS = ['retry-after', 'retry-after-ms', 'x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']

function retryHeaders(headers: Headers, names = RETRY_HEADERS): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of names) {
    const value = headers.get(name)
    if (value !== null) out[name] = value
  }
  return out
}

/** One OpenAI attempt against an error fault in `form`: the retry headers sent and the wait the journal keeps. */
async function openaiForm(fault: Record<string, unknown>, names = RETRY_HEADERS) {
  return withUpstream(always(fault), async (up) => {
    const res = await postJson(`${up.url}${chat}`, chatBody('f1'))
    const entry = await journalEntry(up, 'f1')
    return { status: res.status, headers: retryHeaders(res.headers, names), meant: entry.retryAfterMs }
  })
}

describe('retry_after_format: how an OpenAI error writes its delay', () => {
  const error = (format: string, extra: Record<string, unknown> = { retry_after: '1.3s' }) => ({
    type: 'error',
    status: 503,
    retry_after_format: format,
    ...extra,
  })

  it('seconds (the default) sends both headers; fractional, ms-only one each', async () => {
    expect(await openaiForm({ type: 'error', status: 503, retry_after: '1.3s' })).toMatchObject({
      headers: { 'retry-after': '2', 'retry-after-ms': '1300' },
      meant: 1300,
    })
    expect(await openaiForm(error('fractional'))).toEqual({
      status: 503,
      headers: { 'retry-after': '1.3' },
      meant: 1300,
    })
    expect(await openaiForm(error('ms-only'))).toEqual({
      status: 503,
      headers: { 'retry-after-ms': '1300' },
      meant: 1300,
    })
  })

  it('http-date names a whole second at least the delay away; the journal keeps the wait to it', async () => {
    const before = Date.now()
    const got = await openaiForm(error('http-date'))
    const date = Date.parse(got.headers['retry-after'] ?? '')
    expect(got.headers['retry-after']).toMatch(/GMT$/)
    expect(got.headers['retry-after-ms']).toBeUndefined()
    expect(date % 1000).toBe(0)
    expect(date).toBeGreaterThanOrEqual(before + 1300)
    expect(got.meant).toBeGreaterThanOrEqual(1300)
    expect(got.meant).toBeLessThan(2300)
  })

  it('zero means retry at once; negative, garbage and missing mean no usable delay (null in the journal)', async () => {
    expect(await openaiForm(error('zero', {}))).toMatchObject({ headers: { 'retry-after': '0' }, meant: 0 })
    expect(await openaiForm(error('negative', {}))).toMatchObject({ headers: { 'retry-after': '-1' }, meant: null })
    expect(await openaiForm(error('garbage', {}))).toMatchObject({ headers: { 'retry-after': 'soon' }, meant: null })
    expect(await openaiForm(error('missing', {}))).toMatchObject({ headers: {}, meant: null })
  })

  it('reset-only on OpenAI: x-ratelimit-reset-* as Go durations, no Retry-After', async () => {
    const got = await openaiForm(
      { type: 'rate-limit', retry_after: '1.3s', retry_after_format: 'reset-only' },
      RESET_HEADERS,
    )
    expect(got).toEqual({
      status: 429,
      headers: { 'x-ratelimit-reset-requests': '1.3s', 'x-ratelimit-reset-tokens': '1.3s' },
      meant: 1300,
    })
  })
})

describe('retry_after_format on Anthropic and Google', () => {
  it('reset-only on Anthropic: anthropic-ratelimit-requests-reset alone, RFC 3339 rounded up', () =>
    withUpstream(always({ type: 'rate-limit', retry_after: '1.3s', retry_after_format: 'reset-only' }), async (up) => {
      const before = Date.now()
      const res = await postJson(`${up.url}/v1/messages`, messagesBody('a1'), { 'anthropic-version': '2023-06-01' })
      const entry = await journalEntry(up, 'a1')
      const headers = retryHeaders(res.headers, [...RETRY_HEADERS, 'anthropic-ratelimit-requests-reset'])
      expect(headers['retry-after']).toBeUndefined()
      expect(headers['anthropic-ratelimit-requests-reset']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      expect(Date.parse(headers['anthropic-ratelimit-requests-reset'] ?? '')).toBeGreaterThanOrEqual(before + 1300)
      expect(entry.retryAfterMs).toBeGreaterThanOrEqual(1300)
      expect(entry.retryAfterMs).toBeLessThan(2300)
    }))

  it('Google has no header: the form is the RetryInfo retryDelay in the body', async () => {
    const gemini = async (fault: Record<string, unknown>) =>
      withUpstream(always(fault), async (up) => {
        const body = { contents: [{ parts: [{ text: 'hi [brownout:g1]' }] }] }
        const res = await postJson(`${up.url}/v1beta/models/gemini-2.5-flash:generateContent`, body, {
          'x-goog-api-key': 'k',
        })
        const entry = await journalEntry(up, 'g1')
        const details = (res.json as { error: { details?: Array<Record<string, unknown>> } }).error.details ?? []
        const info = details.find((d) => String(d['@type']).endsWith('RetryInfo'))
        return { header: res.headers.get('retry-after'), delay: info?.retryDelay, meant: entry.retryAfterMs }
      })
    expect(await gemini({ type: 'overloaded', retry_after: '1.3s', retry_after_format: 'http-date' })).toEqual({
      header: null,
      delay: '1.300s',
      meant: 1300,
    })
    expect(await gemini({ type: 'overloaded', retry_after_format: 'garbage' })).toEqual({
      header: null,
      delay: 'soon',
      meant: null,
    })
    expect(await gemini({ type: 'overloaded', retry_after_format: 'missing' })).toEqual({
      header: null,
      delay: undefined,
      meant: null,
    })
  })
})

describe('retry_after_format: nonsense is refused', () => {
  const problems = (fault: Record<string, unknown>) => {
    const parsed = faultSchema.safeParse(fault)
    return parsed.success ? [] : parsed.error.issues.map((i) => i.message)
  }
  it('a form that writes a delay needs one; a form that writes none takes none', () => {
    expect(problems({ type: 'error', status: 503, retry_after_format: 'http-date' })).toEqual([
      expect.stringContaining('give it a retry_after'),
    ])
    expect(problems({ type: 'overloaded', retry_after: '1s', retry_after_format: 'garbage' })).toEqual([
      expect.stringContaining('drop retry_after'),
    ])
    expect(problems({ type: 'rate-limit', send_retry_after: false, retry_after_format: 'fractional' })).toEqual([
      expect.stringContaining('retry_after_format: missing'),
    ])
    expect(problems({ type: 'error', status: 503, retry_after_format: 'sometime' })).not.toEqual([])
    expect(problems({ type: 'overloaded', retry_after: '1s', retry_after_format: 'reset-only' })).toEqual([
      expect.stringContaining('rate-limit reset'),
    ])
    expect(problems({ type: 'error', status: 429, retry_after: '1s', retry_after_format: 'reset-only' })).toEqual([])
    expect(problems({ type: 'error', status: 503, retry_after: '90s', retry_after_format: 'http-date' })).toEqual([])
  })
})

describe('x-should-retry overrides the status in the effect an error fault declares', () => {
  it('false makes a 503 fatal, true makes a 400 transient; without it the status decides', () => {
    expect(shouldRetryEffect(false, 503)).toEqual({ effect: 'fatal', content: 'none' })
    expect(shouldRetryEffect(true, 400)).toEqual({ effect: 'transient', content: 'none' })
    expect(shouldRetryEffect(undefined, 503).effect).toBe('transient')
    expect(shouldRetryEffect(undefined, 400).effect).toBe('fatal')
  })

  it('the journal records a should_retry: false 503 as fatal', () =>
    withUpstream(always({ type: 'error', status: 503, should_retry: false }), async (up) => {
      const res = await postJson(`${up.url}${chat}`, chatBody('s1'))
      expect(res.headers.get('x-should-retry')).toBe('false')
      expect((await journalEntry(up, 's1')).effect).toBe('fatal')
    }))
})
