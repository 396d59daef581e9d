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

/** Ids counted in slots at most: 4 B a slot, 16 MiB in all (a million-request run takes 4 MiB). */
const SLOT_BUDGET = 1 << 22
const CHUNK_BITS = 12
const CHUNK = 1 << CHUNK_BITS
/** The form brownout's own ids have (`brn-<run id>-<n>`, src/load/driver.ts): a prefix and the request's number. */
const NUMBERED = /^(brn-[a-z0-9]{1,16}-)(0|[1-9][0-9]{0,8})$/

/**
 * Counts attempts per logical request id. Share one between the upstreams of a run so that a retry that fails over
 * to another upstream is attempt 2, not attempt 1 again. brownout's own ids (a run's prefix and the request's
 * number) are counted in slots by number, 4 bytes each, not a map entry and a string per request: a million-request
 * run counts in 4 MiB. Other ids, and brownout's once the slots' budget is spent, are counted in a map.
 */
export class AttemptCounter {
  private seen = new Map<string, number>()
  private slots = new Map<string, Uint32Array[]>()
  private chunks = 0

  next(id: string): number {
    const slot = this.slot(id)
    if (slot) {
      const n = (slot.chunk[slot.i] ?? 0) + 1
      slot.chunk[slot.i] = n
      return n
    }
    const n = (this.seen.get(id) ?? 0) + 1
    this.seen.set(id, n)
    return n
  }

  /** Where a numbered id is counted (a new slot holds 0), or undefined for a map entry. */
  private slot(id: string): { chunk: Uint32Array; i: number } | undefined {
    const m = id.length <= 40 ? NUMBERED.exec(id) : null
    if (!m) return undefined
    const prefix = m[1] as string
    const n = Number(m[2])
    let list = this.slots.get(prefix)
    const c = n >>> CHUNK_BITS
    let chunk = list?.[c]
    if (!chunk) {
      if ((this.chunks + 1) * CHUNK > SLOT_BUDGET) return undefined
      if (!list) {
        list = []
        this.slots.set(prefix, list)
      }
      chunk = new Uint32Array(CHUNK)
      list[c] = chunk
      this.chunks++
    }
    return { chunk, i: n & (CHUNK - 1) }
  }

  clear(): void {
    this.seen.clear()
    this.slots.clear()
    this.chunks = 0
  }
}
