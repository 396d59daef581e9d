import type { JournalEntry } from '../upstream/journal.js'
import { defineCheck, noEvidence, ratio } from './check.js'
import { attemptFailure, carriedRequest, type GradeContext } from './context.js'
import { ownBackoff } from './own-backoff.js'
import { backoffGrowth, jitter, retryAfterHonored } from './retry-timing.js'

/** Requests in scope with their attempts (only those that reached an upstream); computed once per context. */
function attempted(ctx: GradeContext): Array<{ id: string; attempts: JournalEntry[] }> {
  return ctx.attempted()
}

export const fatalRetried = defineCheck({
  name: 'retries.fatal_retried',
  summary: 'requests retried after a fatal answer (400/401/403/404/413/422, quota 429): must get exactly one attempt',
  unit: 'count',
  defaultExpect: { threshold: '== 0', required: true },
  measure: (ctx) => {
    const fatal = attempted(ctx).filter((r) => r.attempts[0] && attemptFailure(r.attempts[0]) === 'fatal')
    if (fatal.length === 0) return noEvidence('no first attempt got a fatal answer')
    const retried = fatal.filter((r) => r.attempts.length > 1)
    return {
      value: retried.length,
      evidence: `${retried.length} of ${fatal.length} fatal answers were retried`,
      examples: retried.slice(0, 3).map((r) => r.id),
    }
  },
})

export const transientRetried = defineCheck({
  name: 'retries.transient_retried',
  summary:
    'share of requests whose first attempt failed transiently (5xx, 429, 529, reset, refused, or still open at the end: it never answered) that were retried with the request: a retry without its body (empty, cut off or unreadable) does not count',
  unit: 'ratio',
  defaultExpect: { threshold: '>= 0.99', required: true },
  measure: (ctx) => {
    const timeout = ctx.data.scenario.load.timeout
    const transient = attempted(ctx).filter((r) => {
      const first = r.attempts[0]
      if (!first || attemptFailure(first) !== 'transient') return false
      // A Retry-After past the client's deadline asks the gateway to fail fast, not to retry.
      return first.retryAfterMs === null || first.retryAfterMs < timeout
    })
    if (transient.length === 0) return noEvidence('no first attempt failed transiently')
    const notRetried = transient.filter((r) => !r.attempts.slice(1).some(carriedRequest))
    const bodiless = transient.reduce((n, r) => n + r.attempts.slice(1).filter((a) => !carriedRequest(a)).length, 0)
    const retried = transient.length - notRetried.length
    // With an SDK in front (x-stainless-retry-count), a retry may be the SDK's own call again, not the gateway's:
    // the request was retried all the same, but the evidence says which layer did it.
    const sdkOnly = transient.filter((r) => {
      const first = r.attempts[0]?.stainlessRetryCount
      if (first == null || !r.attempts.slice(1).some(carriedRequest)) return false
      const next = r.attempts[1]
      return next !== undefined && next.stainlessRetryCount != null && next.stainlessRetryCount !== first
    }).length
    return {
      value: ratio(retried, transient.length),
      evidence: `${retried} of ${transient.length} transient failures retried${sdkOnly > 0 ? ` (${sdkOnly} only by the client's SDK, x-stainless-retry-count: the gateway passed the failure on)` : ''}${bodiless > 0 ? `; ${bodiless} retries carried no request body (empty, cut off or unreadable) and do not count` : ''}`,
      examples: notRetried.slice(0, 3).map((r) => r.id),
    }
  },
})

export const maxAttempts = defineCheck({
  name: 'retries.max_attempts',
  summary: 'most upstream attempts for one request (bounded retries); attempts still open at the end count',
  unit: 'count',
  defaultExpect: { threshold: '<= 5', required: true },
  measure: (ctx) => {
    const rs = attempted(ctx)
    if (rs.length === 0) return noEvidence('no request reached an upstream')
    const most = [...rs].sort((a, b) => b.attempts.length - a.attempts.length)
    return {
      value: most[0]?.attempts.length ?? 0,
      evidence: `${rs.length} of ${ctx.sent.length} sent requests reached an upstream`,
      examples: most.slice(0, 3).map((r) => r.id),
    }
  },
})

export const amplification = defineCheck({
  name: 'retries.amplification',
  summary: 'upstream attempts per client request sent (a retry storm multiplies the load on a failing upstream)',
  unit: 'x',
  defaultExpect: { threshold: '<= 3', required: true },
  measure: (ctx) => {
    // Requests the client abandoned were sent all the same: their attempts are in the journal, so they count here.
    const requests = ctx.sent.length + ctx.abandoned.length
    if (requests === 0) return noEvidence('no request was sent')
    const most = [...attempted(ctx)].sort((a, b) => b.attempts.length - a.attempts.length)
    // Attempts without the request are load on the upstream all the same: they count, and the evidence says so.
    const bodiless = ctx.journal.filter((e) => !carriedRequest(e)).length
    return {
      value: ratio(ctx.journal.length, requests),
      evidence: `${ctx.journal.length} attempts for ${requests} requests${bodiless > 0 ? ` (${bodiless} carried no request body)` : ''}`,
      examples: most.slice(0, 3).map((r) => r.id),
    }
  },
})

export const failover = defineCheck({
  name: 'retries.failover',
  summary:
    'share of retries that went to a different upstream than the attempt before; with an upstream that refuses connections (whose attempts leave no trace), a retry that stayed on the same upstream may have tried it in between and is not counted either way',
  unit: 'ratio',
  defaultExpect: { threshold: '>= 0.9', required: false },
  measure: (ctx) => {
    const upstreams = Object.entries(ctx.data.scenario.upstreams)
    if (upstreams.length < 2) return noEvidence('only one upstream')
    const refusing = upstreams.filter(([, u]) => u.refuse_connections).map(([name]) => name)
    let moved = 0
    const same: string[] = []
    let unseen = 0
    for (const r of attempted(ctx)) {
      for (let i = 1; i < r.attempts.length; i++) {
        if (r.attempts[i]?.upstream !== r.attempts[i - 1]?.upstream) moved++
        else if (refusing.length > 0) unseen++
        else same.push(r.id)
      }
    }
    const hidden = `${unseen} retries stayed on the same upstream as seen, but an attempt on ${refusing.join(', ')} (refused connections leave no journal entry) may lie between each pair`
    if (moved + same.length === 0)
      return noEvidence(unseen > 0 ? `${hidden}: where they went cannot be seen` : 'no retry happened')
    return {
      value: ratio(moved, moved + same.length),
      evidence: `${moved} of ${moved + same.length} retries moved to another upstream${unseen > 0 ? `; not counted: ${hidden}` : ''}`,
      examples: [...new Set(same)].slice(0, 3),
    }
  },
})

export const RETRY_CHECKS = [
  fatalRetried,
  transientRetried,
  maxAttempts,
  amplification,
  retryAfterHonored,
  jitter,
  backoffGrowth,
  failover,
  ownBackoff,
]
