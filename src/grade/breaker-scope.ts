import { type CheckDefinition, defineCheck, noEvidence } from './check.js'
import { attemptFailure, clientSuccess, type GradeContext } from './context.js'

/**
 * Requests the gateway refused itself (no upstream attempt, not a success) although their model was healthy: the
 * last attempt for that model before the request was sent had not failed, or the model was never tried. A breaker
 * that one model's failures opened for every model on the upstream (one deterministic 5xx shutting out every key)
 * refuses such requests; a breaker per upstream and model does not.
 */
export const breakerCollateral = defineCheck({
  name: 'breaker.collateral',
  summary:
    'requests the gateway refused itself (never reached an upstream) while their own model was healthy: a breaker opened by another model’s failures',
  unit: 'count',
  measure: (ctx: GradeContext) => {
    const refused = ctx.sent.filter((r) => (ctx.attempts.get(r.id)?.length ?? 0) === 0 && !clientSuccess(r))
    if (refused.length === 0) return noEvidence('the gateway refused no request itself')
    // Every attempt per model, in time order, with whether it failed.
    const byModel = new Map<string, Array<{ atMs: number; failed: boolean }>>()
    for (const e of ctx.data.journal) {
      if (e.model === null) continue
      const list = byModel.get(e.model) ?? []
      list.push({ atMs: ctx.runMs(e.receivedAt), failed: attemptFailure(e) !== null })
      byModel.set(e.model, list)
    }
    for (const list of byModel.values()) list.sort((a, b) => a.atMs - b.atMs)
    const collateral = refused.filter((r) => {
      const sentAt = r.intendedAt + r.sendLagMs
      const before = (byModel.get(r.model) ?? []).filter((a) => a.atMs <= sentAt)
      const last = before[before.length - 1]
      return last === undefined || !last.failed
    })
    return {
      value: collateral.length,
      evidence: `${collateral.length} of ${refused.length} requests the gateway refused itself had a healthy model (its last attempt before them had not failed, or it was never tried)`,
      examples: collateral.slice(0, 3).map((r) => r.id),
    }
  },
})

export const BREAKER_SCOPE_CHECKS: readonly CheckDefinition[] = [breakerCollateral]
