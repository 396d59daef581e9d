import type { ClientRecord } from '../load/record.js'
import type { JournalEntry } from '../upstream/journal.js'
import { type CheckDefinition, defineCheck, noEvidence, ratio } from './check.js'
import { attemptFailure, carriedRequest, clientSuccess, type GradeContext, sameAsExpected } from './context.js'

/**
 * Where an attempt broke, for the client: `before` the client could have seen a byte of the answer (no status line:
 * a hang or a reset before headers; or a 2xx whose body never started: headers then nothing, zero events then a
 * reset), `after` it (a 2xx whose body had started: N events then a cut, an idle stall, an error event). Null when
 * the attempt did not break that way: a good answer, or an error status (the retry checks judge those).
 */
export type Strike = 'before' | 'after'

export function strikeOf(e: JournalEntry): Strike | null {
  const failure = attemptFailure(e)
  if (failure === null || failure === 'fatal') return null
  if (e.status === null) return 'before'
  if (e.status < 200 || e.status >= 300) return null
  return e.bytes === 0 ? 'before' : 'after'
}

/** The client knew the request failed: an error status, a broken stream with an error or a cut, a network error. */
function explicitFailure(r: ClientRecord): boolean {
  return !clientSuccess(r) && r.outcome !== 'timeout' && r.outcome !== 'not-sent'
}

export const beforeFirstByte = defineCheck({
  name: 'retries.before_first_byte',
  summary:
    'requests whose attempt broke before the first byte (no headers, headers then nothing, zero events then a reset) that were retried, and requests whose stream broke after it that the client saw fail explicitly (never a clean end, a splice or a hang), over both',
  unit: 'ratio',
  measure: (ctx: GradeContext) => {
    const byId = new Map(ctx.sent.map((r) => [r.id, r]))
    let before = 0
    let after = 0
    const notRetried: string[] = []
    const notExplicit: string[] = []
    const hung: string[] = []
    for (const { id, attempts } of ctx.attempted()) {
      const record = byId.get(id)
      if (!record) continue
      const struck = firstStrike(attempts)
      if (!struck) continue
      if (struck.strike === 'before') {
        before++
        if (!attempts.slice(struck.index + 1).some(carriedRequest)) notRetried.push(id)
        continue
      }
      after++
      // Events reached the client: the only right ends are an explicit failure, or the whole answer (a gateway
      // that buffered the stream and retried before relaying anything).
      if (explicitFailure(record)) continue
      if (clientSuccess(record) && sameAsExpected(ctx, record)) continue
      if (record.outcome === 'timeout') hung.push(id)
      else notExplicit.push(id)
    }
    const struck = before + after
    if (struck === 0) return noEvidence('no attempt broke before or after its first byte')
    const wrong = notRetried.length + notExplicit.length + hung.length
    const parts = [
      before > 0 ? `${before - notRetried.length} of ${before} broken before the first byte retried` : null,
      after > 0
        ? `${after - notExplicit.length - hung.length} of ${after} broken after it failed explicitly${notExplicit.length > 0 ? ` (${notExplicit.length} ended as a success: see client.truncated_success, client.duplicated_content)` : ''}${hung.length > 0 ? ` (${hung.length} hung: see client.hung)` : ''}`
        : null,
    ]
    return {
      value: ratio(struck - wrong, struck),
      evidence: parts.filter((p) => p !== null).join('; '),
      examples: [...notRetried, ...notExplicit, ...hung].slice(0, 3),
    }
  },
})

/** A request's first attempt that broke before or after its first byte, with its position. */
function firstStrike(attempts: readonly JournalEntry[]): { strike: Strike; index: number } | undefined {
  for (let i = 0; i < attempts.length; i++) {
    const a = attempts[i]
    const strike = a ? strikeOf(a) : null
    if (strike) return { strike, index: i }
  }
  return undefined
}

export const FIRST_BYTE_CHECKS: readonly CheckDefinition[] = [beforeFirstByte]
