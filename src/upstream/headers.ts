import { idSuffix } from './content.js'
import type { Exchange } from './exchange.js'

/** The provider request id of this attempt (`req_…`), deterministic from (seed, request id, attempt). */
export function providerRequestId(ex: Exchange): string {
  return `req_${idSuffix(ex.upstream.seed, ex.requestId, ex.attempt, 'req')}`
}

/** Headers the real APIs put on every response (brownout's, then the family's), with live rate-limit values. */
export function providerHeaders(ex: Exchange, contentType: string, processingMs: number): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-brownout-request-id': ex.requestId,
    'x-brownout-attempt': String(ex.attempt),
  }
  if (contentType.startsWith('text/event-stream')) {
    headers['cache-control'] = 'no-cache'
  }
  Object.assign(
    headers,
    ex.family.headers({
      providerRequestId: providerRequestId(ex),
      processingMs,
      nowMs: ex.upstream.clock.now(),
      limits: ex.limits,
    }),
  )
  return headers
}
