import type { ClientRecord } from '../load/record.js'
import type { SutLimits } from '../scenario/schema.js'
import { defineCheck, noEvidence, ratio } from './check.js'
import type { GradeContext } from './context.js'
import { attemptTree, hasClientLayer, layerReport, treeProduct } from './layers.js'

const round2 = (n: number) => Math.round(n * 100) / 100

export const stackedAmplification = defineCheck({
  name: 'retries.stacked_amplification',
  summary:
    'upstream attempts for the worst client request when a retrying client (an SDK) calls the SUT, split by layer: SDK attempts (x-stainless-retry-count) × gateway attempts per SDK attempt',
  unit: 'count',
  defaultExpect: { threshold: '<= 5', required: true },
  measure: (ctx) => {
    if (!hasClientLayer(ctx.data)) {
      return noEvidence('no client layer: brownout sent each request once (retries.max_attempts judges the gateway)')
    }
    const report = layerReport(ctx.attempted(), ctx.data.meta.loadStartedAt)
    const worst = report?.worst[0]
    if (!report || !worst) return noEvidence('no request reached an upstream')
    const unattributed =
      report.attribution === 'none'
        ? '; no attempt carried x-stainless-retry-count (the client sets none, or the gateway drops it): the SDK layer cannot be told apart, every attempt counts as the gateway’s'
        : ''
    return {
      value: worst.total,
      evidence: `worst request: ${treeProduct(worst)}; per request SDK ${round2(report.sdkPerRequest)} × gateway ${round2(report.gatewayPerSdk)} = ${round2(report.upstreamPerRequest)} upstream attempts (${report.requests} requests)${unattributed}`,
      examples: report.worst.map((t) => t.id),
    }
  },
})

/**
 * Calls to the SUT that it admitted (they reached an upstream): one per SDK attempt. The SUT admitted each at a
 * moment between `fromMs` and `atMs` (run ms): no earlier than brownout sent it (when brownout is the client; a
 * client program's attempts: 50 ms before it reached the upstream), no later than it reached the upstream. Sorted
 * by `atMs`.
 */
function admissions(ctx: GradeContext): Array<{ id: string; fromMs: number; atMs: number }> {
  const start = ctx.data.meta.loadStartedAt
  const ownLoad = ctx.data.meta.sut.client === undefined && !isClientRun(ctx)
  const sentAt = new Map(ctx.sent.map((r) => [r.id, r.intendedAt + r.sendLagMs]))
  return ctx
    .attempted()
    .flatMap((r) =>
      attemptTree(r.id, r.attempts, start).sdk.map((s, i) => {
        const atMs = s.attempts[0]?.atMs ?? 0
        const sent = ownLoad && i === 0 ? sentAt.get(r.id) : undefined
        return { id: r.id, fromMs: Math.min(atMs, sent ?? atMs - 50), atMs }
      }),
    )
    .sort((a, b) => a.atMs - b.atMs)
}

/**
 * The stated limits the limits checks judge, or why there is nothing to judge: no stated limit, or a SUT profile
 * that never took it (its limiter, if any, is not the one the scenario states: a failure would blame the gateway
 * for its profile).
 */
function limitsToJudge(ctx: GradeContext): SutLimits | string {
  const limits = ctx.data.scenario.sut_limits
  if (!limits) return 'the scenario states no sut_limits'
  const { sut } = ctx.data.meta
  if (sut.limitsApplied === false)
    return `the SUT profile${sut.name ? ` ${sut.name}` : ''} does not take the scenario's limit: configure its limiter from {{sut_limits.rate}} / {{sut_limits.budget}}, or point --target at a gateway configured by hand`
  return limits
}

/** Whether the run's client was a program (client mode), not brownout's own load. */
function isClientRun(ctx: GradeContext): boolean {
  return ctx.data.journal.some((e) => e.stainlessRetryCount != null)
}

export const overAdmitted = defineCheck({
  name: 'limits.over_admitted',
  summary:
    "requests the SUT admitted (they reached an upstream) beyond its own stated limit (the scenario's sut_limits): for `requests` per `per`, admissions past the limit among those that were surely in one window (sent and arrived within `per`); for `budget`, admissions past it",
  unit: 'count',
  defaultExpect: { threshold: '== 0', required: true },
  measure: (ctx) => {
    const limits = limitsToJudge(ctx)
    if (typeof limits === 'string') return noEvidence(limits)
    const admitted = admissions(ctx)
    if (admitted.length === 0) return noEvidence('no request reached an upstream')
    const over: string[] = []
    const parts: string[] = []
    if (limits.requests !== undefined && limits.per !== undefined) {
      const per = limits.per
      let most = 0
      let beyond = 0
      // Admissions surely in one window with each: sent after its arrival less the window, arrived before it (so
      // also arrived after its arrival less the window: only those are scanned).
      let first = 0
      for (const [i, a] of admitted.entries()) {
        while ((admitted[first]?.atMs ?? a.atMs) <= a.atMs - per) first++
        let inWindow = 0
        for (let k = first; k <= i; k++) if ((admitted[k]?.fromMs ?? 0) > a.atMs - per) inWindow++
        most = Math.max(most, inWindow)
        if (inWindow > limits.requests) {
          beyond++
          over.push(a.id)
        }
      }
      parts.push(
        `${beyond} beyond ${limits.requests} per ${per} ms (the most surely in one window: ${most}, of ${admitted.length} admitted)`,
      )
    }
    if (limits.budget !== undefined) {
      const beyond = Math.max(0, admitted.length - limits.budget)
      over.push(...admitted.slice(limits.budget).map((a) => a.id))
      parts.push(`${admitted.length} admitted against a budget of ${limits.budget}: ${beyond} beyond it`)
    }
    return { value: over.length, evidence: parts.join('; '), examples: [...new Set(over)].slice(0, 3) }
  },
})

/** The wait a refusal asks for, ms: retry-after-ms, else Retry-After (seconds); null when it names none. */
function askedWaitMs(r: ClientRecord): number | null {
  const ms = Number(r.headers['retry-after-ms'])
  if (r.headers['retry-after-ms'] !== undefined && Number.isFinite(ms)) return ms
  const s = Number(r.headers['retry-after'])
  return r.headers['retry-after'] !== undefined && Number.isFinite(s) ? s * 1000 : null
}

/** The resolution of a gateway's own clock and of a Retry-After in milliseconds: what the check allows for. */
const CLOCK_GRAIN_MS = 1

export const refusalsUsable = defineCheck({
  name: 'limits.refusals_usable',
  summary:
    "share of the SUT's own 429s (refusals that reached no upstream, under a stated sut_limits) that a client can act on: well formed, and for a rate limit a Retry-After no earlier than a slot surely frees and no later than the window rounded up to whole seconds; for a spent budget, no Retry-After (waiting does not help)",
  unit: 'ratio',
  defaultExpect: { threshold: '>= 1', required: true },
  measure: (ctx) => {
    const limits = limitsToJudge(ctx)
    if (typeof limits === 'string') return noEvidence(limits)
    const refusals = ctx.sent.filter((r) => r.status === 429 && (ctx.attempts.get(r.id)?.length ?? 0) === 0)
    if (refusals.length === 0) return noEvidence('the SUT refused no request itself')
    const admitted = admissions(ctx)
    const bad: Array<{ id: string; why: string }> = []
    for (const r of refusals) {
      const sent = r.intendedAt + r.sendLagMs
      const answered = r.intendedAt + r.latencyMs
      const wait = askedWaitMs(r)
      const before = admitted.filter((a) => a.atMs <= sent)
      const budgetSpent = limits.budget !== undefined && before.length >= limits.budget
      let why: string | null = null
      if (!r.errorBody?.wellFormed) why = 'not a well-formed error'
      else if (budgetSpent) why = wait !== null ? `budget spent, yet Retry-After ${wait} ms` : null
      else if (limits.requests !== undefined && limits.per !== undefined) {
        const per = limits.per
        // Admissions surely in the window when it refused: admitted before it was sent, after its answer less the
        // window. The earliest a slot frees is when enough of them have aged out to leave one free.
        const inWindow = before
          .filter((a) => a.fromMs > answered - per)
          .map((a) => a.fromMs)
          .sort((a, b) => a - b)
        const freedBy = inWindow[inWindow.length - limits.requests]
        const earliest = freedBy === undefined ? 0 : Math.max(0, freedBy + per - answered)
        // A gateway's clock reads whole milliseconds (Date.now) and Retry-After-ms is whole: 1 ms of leeway.
        if (wait === null) why = 'no Retry-After'
        else if (wait + CLOCK_GRAIN_MS < earliest)
          why = `Retry-After ${wait} ms, a slot frees in ${Math.round(earliest)} ms at the soonest`
        else if (wait > Math.ceil(per / 1000) * 1000) why = `Retry-After ${wait} ms, longer than the ${per} ms window`
      }
      if (why) bad.push({ id: r.id, why })
    }
    const usable = refusals.length - bad.length
    return {
      value: ratio(usable, refusals.length),
      evidence: `${usable} of ${refusals.length} refusals usable${bad[0] ? ` (e.g. ${bad[0].why})` : ''}`,
      examples: bad.slice(0, 3).map((b) => b.id),
    }
  },
})

/** Checks of a request's layers (client, gateway, upstream) and of the SUT's own limits. */
export const LAYER_CHECKS = [stackedAmplification, overAdmitted, refusalsUsable]
