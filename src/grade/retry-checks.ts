import type { JournalEntry } from '../upstream/journal.js'
import { defineCheck, noEvidence, ratio } from './check.js'
import { attemptFailure, type GradeContext } from './context.js'
import { percentile } from './threshold.js'

/** Requests in scope with their attempts (only those that reached an upstream); computed once per context. */
function attempted(ctx: GradeContext): Array<{ id: string; attempts: JournalEntry[] }> {
  return ctx.attempted()
}

/** Gap between the end of attempt i and the start of attempt i+1 (none after an attempt that never ended). */
function gapAfter(attempts: JournalEntry[], i: number): number | undefined {
  const a = attempts[i]
  const b = attempts[i + 1]
  return a && b && a.endedBy !== 'open' ? b.receivedAt - (a.receivedAt + a.durationMs) : undefined
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
    'share of requests whose first attempt failed transiently (5xx, 429, 529, reset, refused, or still open at the end: it never answered) that were retried',
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
    const notRetried = transient.filter((r) => r.attempts.length < 2)
    return {
      value: ratio(transient.length - notRetried.length, transient.length),
      evidence: `${transient.length - notRetried.length} of ${transient.length} transient failures retried`,
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
      evidence: `${rs.length} requests`,
      examples: most.slice(0, 3).map((r) => r.id),
    }
  },
})

export const amplification = defineCheck({
  name: 'retries.amplification',
  summary: 'upstream attempts per client request sent',
  unit: 'x',
  measure: (ctx) => {
    if (ctx.sent.length === 0) return noEvidence('no request was sent')
    const most = attempted(ctx).sort((a, b) => b.attempts.length - a.attempts.length)
    return {
      value: ratio(ctx.journal.length, ctx.sent.length),
      evidence: `${ctx.journal.length} attempts for ${ctx.sent.length} requests`,
      examples: most.slice(0, 3).map((r) => r.id),
    }
  },
})

export const retryAfterHonored = defineCheck({
  name: 'retries.retry_after_honored',
  summary: 'share of retries after a Retry-After that waited at least that long (50 ms grace)',
  unit: 'ratio',
  defaultExpect: { threshold: '>= 0.99', required: true },
  measure: (ctx) => {
    let total = 0
    const early: string[] = []
    for (const r of attempted(ctx)) {
      r.attempts.forEach((a, i) => {
        const gap = gapAfter(r.attempts, i)
        if (a.retryAfterMs === null || gap === undefined) return
        total++
        if (gap < a.retryAfterMs - 50) early.push(r.id)
      })
    }
    if (total === 0) return noEvidence('no retry followed a Retry-After')
    return {
      value: ratio(total - early.length, total),
      evidence: `${total - early.length} of ${total} retries waited out Retry-After`,
      examples: [...new Set(early)].slice(0, 3),
    }
  },
})

/** First-retry gaps not dictated by a Retry-After. */
function freeGaps(ctx: GradeContext, index: number): Array<{ id: string; gap: number }> {
  const out: Array<{ id: string; gap: number }> = []
  for (const r of attempted(ctx)) {
    const a = r.attempts[index]
    const gap = gapAfter(r.attempts, index)
    if (a && gap !== undefined && a.retryAfterMs === null) out.push({ id: r.id, gap })
  }
  return out
}

export const jitter = defineCheck({
  name: 'retries.jitter',
  summary: 'spread (coefficient of variation) of first-retry gaps across requests: full jitter ≈ 0.58, none = 0',
  unit: 'ratio',
  defaultExpect: { threshold: '>= 0.15', required: false },
  measure: (ctx) => {
    const gaps = freeGaps(ctx, 0)
    if (gaps.length < 10) return noEvidence(`${gaps.length} first retries without Retry-After (need 10)`)
    const values = gaps.map((g) => g.gap)
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length)
    return {
      value: mean > 0 ? sd / mean : 0,
      evidence: `${gaps.length} first-retry gaps, mean ${mean.toFixed(0)} ms`,
      examples: gaps.slice(0, 3).map((g) => g.id),
    }
  },
})

export const backoffGrowth = defineCheck({
  name: 'retries.backoff_growth',
  summary: 'median second-retry gap ÷ median first-retry gap (exponential backoff grows: ≥ 1)',
  unit: 'x',
  defaultExpect: { threshold: '>= 1', required: false },
  measure: (ctx) => {
    const first = freeGaps(ctx, 0)
    const second = freeGaps(ctx, 1)
    if (second.length < 3) return noEvidence(`${second.length} second retries without Retry-After (need 3)`)
    const m1 = percentile(
      first.map((g) => g.gap),
      50,
    )
    const m2 = percentile(
      second.map((g) => g.gap),
      50,
    )
    return {
      value: m1 > 0 ? m2 / m1 : m2 > 0 ? Number.POSITIVE_INFINITY : 1,
      evidence: `median gaps ${m1.toFixed(0)} ms then ${m2.toFixed(0)} ms`,
      examples: second.slice(0, 3).map((g) => g.id),
    }
  },
})

export const failover = defineCheck({
  name: 'retries.failover',
  summary: 'share of retries that went to a different upstream than the attempt before',
  unit: 'ratio',
  defaultExpect: { threshold: '>= 0.9', required: false },
  measure: (ctx) => {
    if (Object.keys(ctx.data.scenario.upstreams).length < 2) return noEvidence('only one upstream')
    let retries = 0
    const same: string[] = []
    for (const r of attempted(ctx)) {
      for (let i = 1; i < r.attempts.length; i++) {
        retries++
        if (r.attempts[i]?.upstream === r.attempts[i - 1]?.upstream) same.push(r.id)
      }
    }
    if (retries === 0) return noEvidence('no retry happened')
    return {
      value: ratio(retries - same.length, retries),
      evidence: `${retries - same.length} of ${retries} retries moved to another upstream`,
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
]
