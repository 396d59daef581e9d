import type { IncomingHttpHeaders } from 'node:http'

export const REQUEST_ID_HEADER = 'x-brownout-request-id'
const MARKER = /\[brownout:([A-Za-z0-9._:-]{1,128})\]/g
const ID = /^[A-Za-z0-9._:-]{1,128}$/

/** The marker the load driver appends to the last user message: `[brownout:<id>]`. */
export function marker(id: string): string {
  return `[brownout:${id}]`
}

/**
 * Finds the logical request id: the header first, then the last body marker (gateways forward message content
 * even when they drop headers or translate between APIs).
 */
export function findRequestId(
  headers: IncomingHttpHeaders,
  rawBody: string,
): { id: string; source: 'header' | 'marker' } | undefined {
  const header = headers[REQUEST_ID_HEADER]
  const value = Array.isArray(header) ? header[0] : header
  if (value && ID.test(value)) return { id: value, source: 'header' }
  if (!rawBody.includes('[brownout:')) return undefined
  let last: string | undefined
  for (const m of rawBody.matchAll(MARKER)) last = m[1]
  return last ? { id: last, source: 'marker' } : undefined
}

/**
 * Counts attempts per logical request id. Share one between the upstreams of a run so that a retry that fails over
 * to another upstream is attempt 2, not attempt 1 again.
 */
export class AttemptCounter {
  private seen = new Map<string, number>()

  next(id: string): number {
    const n = (this.seen.get(id) ?? 0) + 1
    this.seen.set(id, n)
    return n
  }

  clear(): void {
    this.seen.clear()
  }
}
