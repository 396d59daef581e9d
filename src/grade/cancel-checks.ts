import type { ClientRecord } from '../load/record.js'
import type { JournalEntry } from '../upstream/journal.js'
import { defineCheck, noEvidence, ratio } from './check.js'
import type { GradeContext } from './context.js'
import { percentile } from './threshold.js'

/**
 * An attempt that reached the upstream this soon after its client's abort may already have been on its way (the
 * gateway decided before it could see the close): it counts as in flight at the abort, not as a zombie retry.
 */
export const ON_ITS_WAY_MS = 100

/** One abandoned request, from the upstream's side: its attempts around the moment its client left. */
interface Abandonment {
  record: ClientRecord
  /** The client's abort, epoch ms (the journal's clock). */
  abortAt: number
  /** Attempts under way when the client left: arrived by then (or on their way) and not ended before it. */
  inFlight: JournalEntry[]
  /** Attempts that arrived later than ON_ITS_WAY_MS after the abort: work for a client that was gone. */
  zombies: JournalEntry[]
}

/** How long after the abort an attempt closed (ms, ≥ 0); for one still open at the end, how long it had been open. */
function closedAfter(a: JournalEntry, abortAt: number): number {
  return Math.max(0, a.receivedAt + a.durationMs - abortAt)
}

function abandonments(ctx: GradeContext): Abandonment[] {
  const out: Abandonment[] = []
  for (const record of ctx.abandoned) {
    if (record.abandonedAtMs === undefined) continue
    const abortAt = ctx.data.meta.loadStartedAt + record.abandonedAtMs
    const inFlight: JournalEntry[] = []
    const zombies: JournalEntry[] = []
    for (const a of ctx.attempts.get(record.id) ?? []) {
      if (a.receivedAt > abortAt + ON_ITS_WAY_MS) zombies.push(a)
      else if (a.endedBy === 'open' || a.receivedAt + a.durationMs > abortAt) inFlight.push(a)
    }
    out.push({ record, abortAt, inFlight, zombies })
  }
  return out
}

const NONE_ABANDONED = 'no request was abandoned (the scenario has no load.cancel, or none was cut before its end)'

export const cancellation = defineCheck({
  name: 'passthrough.cancellation',
  summary:
    'how long after its client gave up an upstream attempt in flight was closed (ms, seen from the upstream): a gateway that cancels closes it at once; one that does not keeps the provider generating (and billing) tokens nobody reads',
  unit: 'ms',
  stat: { kind: 'p', q: 99 },
  defaultExpect: { threshold: 'p(99) <= 1s', required: true },
  measure: (ctx) => {
    const all = abandonments(ctx)
    if (all.length === 0) return noEvidence(NONE_ABANDONED)
    const attempts = all.flatMap((x) => x.inFlight.map((a) => ({ id: x.record.id, a, ms: closedAfter(a, x.abortAt) })))
    if (attempts.length === 0)
      return noEvidence(`${all.length} requests abandoned, none while an upstream attempt was in flight`)
    const open = attempts.filter((x) => x.a.endedBy === 'open')
    // Who closed each attempt: the gateway (the upstream saw its client leave), or nobody until the upstream finished.
    const ranOn = attempts.filter((x) => x.a.endedBy !== 'open' && x.a.endedBy !== 'client' && !x.a.clientDisconnected)
    const slowest = [...attempts].sort((x, y) => y.ms - x.ms)
    const sample = attempts.map((x) => x.ms)
    const p = (q: number) => Math.round(percentile(sample, q))
    return {
      value: null,
      sample,
      // An attempt still open at the end closed at least this late: a bound that can prove a fail, never a pass.
      ...(open.length > 0 ? { atLeast: true } : {}),
      evidence: `${attempts.length} upstream attempts in flight when ${all.length} clients gave up: closed p50 ${p(50)} ms, p99 ${p(99)} ms after the abort; ${attempts.length - ranOn.length - open.length} closed by the gateway, ${ranOn.length} ran on until the upstream ended them${open.length > 0 ? `, ${open.length} still open when the run ended (counted at their open time so far)` : ''}`,
      examples: [...new Set(slowest.map((x) => x.id))].slice(0, 3),
    }
  },
})

export const cancelNeverClosed = defineCheck({
  name: 'passthrough.cancel_never_closed',
  summary:
    'share of abandoned requests with an upstream attempt still open when the run ended: the gateway never cancelled it',
  unit: 'ratio',
  defaultExpect: { threshold: '== 0', required: true },
  measure: (ctx) => {
    const all = abandonments(ctx)
    if (all.length === 0) return noEvidence(NONE_ABANDONED)
    const reached = all.filter((x) => x.inFlight.length + x.zombies.length > 0)
    if (reached.length === 0)
      return noEvidence(`${all.length} requests abandoned, none with an upstream attempt in flight or started after`)
    const open = reached.filter((x) => [...x.inFlight, ...x.zombies].some((a) => a.endedBy === 'open'))
    return {
      value: ratio(open.length, reached.length),
      evidence: `${open.length} of ${reached.length} abandoned requests had an upstream attempt still open at the end`,
      examples: open.slice(0, 3).map((x) => x.record.id),
    }
  },
})

export const zombieRetries = defineCheck({
  name: 'passthrough.zombie_retries',
  summary: `upstream attempts started more than ${ON_ITS_WAY_MS} ms after their client gave up: retries (or first tries) for nobody`,
  unit: 'count',
  defaultExpect: { threshold: '== 0', required: true },
  measure: (ctx) => {
    const all = abandonments(ctx)
    if (all.length === 0) return noEvidence(NONE_ABANDONED)
    const zombie = all.filter((x) => x.zombies.length > 0)
    const count = zombie.reduce((n, x) => n + x.zombies.length, 0)
    return {
      value: count,
      evidence: `${count} attempts started after their client left, for ${zombie.length} of ${all.length} abandoned requests`,
      examples: zombie.slice(0, 3).map((x) => x.record.id),
    }
  },
})

export const CANCEL_CHECKS = [cancellation, cancelNeverClosed, zombieRetries]
