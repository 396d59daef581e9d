import { goDuration } from '../duration.js'
import { idSuffix } from './content.js'
import type { Exchange } from './exchange.js'

/** The provider request id of this attempt (`req_…`), deterministic from (seed, request id, attempt). */
export function providerRequestId(ex: Exchange): string {
  return `req_${idSuffix(ex.upstream.seed, ex.requestId, ex.attempt, 'req')}`
}

/** Headers the real APIs put on every response, with live rate-limit values. */
export function providerHeaders(ex: Exchange, contentType: string, processingMs: number): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-brownout-request-id': ex.requestId,
    'x-brownout-attempt': String(ex.attempt),
  }
  if (contentType.startsWith('text/event-stream')) {
    headers['cache-control'] = 'no-cache'
  }
  const { requests, tokens } = ex.upstream.limiter.snapshot()
  if (ex.provider === 'openai') {
    headers['x-request-id'] = providerRequestId(ex)
    headers['openai-organization'] = 'brownout'
    headers['openai-processing-ms'] = String(Math.round(processingMs))
    headers['openai-version'] = '2020-10-01'
    headers['x-ratelimit-limit-requests'] = String(requests.limit)
    headers['x-ratelimit-limit-tokens'] = String(tokens.limit)
    headers['x-ratelimit-remaining-requests'] = String(requests.remaining)
    headers['x-ratelimit-remaining-tokens'] = String(tokens.remaining)
    headers['x-ratelimit-reset-requests'] = goDuration(requests.resetMs)
    headers['x-ratelimit-reset-tokens'] = goDuration(tokens.resetMs)
  } else {
    const now = ex.upstream.clock.now()
    const rfc3339 = (ms: number) => `${new Date(now + ms).toISOString().slice(0, 19)}Z`
    const roundedTokens = String(Math.round(tokens.remaining / 1000) * 1000)
    headers['request-id'] = providerRequestId(ex)
    headers['anthropic-organization-id'] = '00000000-0000-4000-8000-00000b40a0a7'
    headers['anthropic-ratelimit-requests-limit'] = String(requests.limit)
    headers['anthropic-ratelimit-requests-remaining'] = String(requests.remaining)
    headers['anthropic-ratelimit-requests-reset'] = rfc3339(requests.resetMs)
    for (const family of ['tokens', 'input-tokens', 'output-tokens']) {
      headers[`anthropic-ratelimit-${family}-limit`] = String(tokens.limit)
      headers[`anthropic-ratelimit-${family}-remaining`] = roundedTokens
      headers[`anthropic-ratelimit-${family}-reset`] = rfc3339(tokens.resetMs)
    }
  }
  return headers
}
