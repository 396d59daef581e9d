import type { JournalEntry } from '../upstream/journal.js'
import type { GradeContext } from './context.js'
import { percentile } from './threshold.js'

/** A retry may come this much before its Retry-After and still count as waiting it out (clock and stamp skew). */
export const RETRY_AFTER_GRACE_MS = 50
/**
 * A retry later than the whole-second `retry-after` header rounded up, plus this, is late: it waited far longer
 * than asked. Half a second is more than timer and scheduling delay on a loaded machine (tens of ms) and less than
 * the one-second step between two whole-second readings, so a fixed backoff a second off is not taken for honour.
 */
export const RETRY_AFTER_LATE_SLACK_MS = 500
/**
 * Backoff floor: a retry policy whose retry gaps all stay below this does not back off (jitter: the longest first-retry
 * gap; backoff growth: the p90 of both first and second retries).
 * Immediate retries measure 0–20 ms even on a loaded machine; the shortest first backoff of a policy meant for LLM
 * providers is 100 ms or more (the openai and anthropic SDKs 0.5 s × (0.75–1), gRPC and AWS SDK bases 100 ms+).
 */
export const NO_BACKOFF_FLOOR_MS = 50
/**
 * An interquartile range of first-retry gaps under this is scheduler noise, not jitter, on a quiet machine. On a
 * busy one the allowance is the run's own timing noise (see harnessNoiseMs), which can reach 50–80 ms.
 */
export const JITTER_NOISE_MS = 10

/**
 * brownout's own timing noise during the run: the 90th percentile of how late the load driver sent requests
 * against their schedule. A gateway's timers on the same machine run late by as much, so a spread of retry gaps
 * no wider than this cannot be told from noise (two CPU burners on two cores: 40–85 ms; a quiet machine: ~1 ms).
 */
export function harnessNoiseMs(ctx: GradeContext): number {
  const lags = ctx.data.records.map((r) => r.sendLagMs).filter((ms) => Number.isFinite(ms))
  return lags.length === 0 ? 0 : percentile(lags, 90)
}

/**
 * Gap between the end of attempt i and the start of attempt i+1, at the upstream; none after an attempt that never
 * ended (a retry sent while it is still open is a hedge, not a backoff).
 */
export function gapAfter(attempts: JournalEntry[], i: number): number | undefined {
  const a = attempts[i]
  const b = attempts[i + 1]
  return a && b && a.endedBy !== 'open' ? b.receivedAt - (a.receivedAt + a.durationMs) : undefined
}

/**
 * Gap between the end of attempt i and the next attempt on the same upstream: what a Retry-After asks of. A
 * failover to another upstream in between owes that upstream's Retry-After nothing; a return to it does.
 */
export function gapToSameUpstream(attempts: JournalEntry[], i: number): number | undefined {
  const a = attempts[i]
  if (!a || a.endedBy === 'open') return undefined
  const b = attempts.slice(i + 1).find((x) => x.upstream === a.upstream)
  return b ? b.receivedAt - (a.receivedAt + a.durationMs) : undefined
}

/** Gaps after attempt `index` (0: first retry) whose wait no Retry-After dictated. */
export function freeGaps(ctx: GradeContext, index: number): Array<{ id: string; gap: number }> {
  const out: Array<{ id: string; gap: number }> = []
  for (const r of ctx.attempted()) {
    const a = r.attempts[index]
    const gap = gapAfter(r.attempts, index)
    if (a && gap !== undefined && a.retryAfterMs === null) out.push({ id: r.id, gap })
  }
  return out
}

export type RetryAfterConduct = 'early' | 'honoured' | 'late'

/**
 * A retry against the Retry-After of the attempt before it: early (before RA − 50 ms), late (after the whole-second
 * header value rounded up, plus 500 ms: a gateway that reads only `retry-after` waits ceil(RA) s, which is right),
 * or honoured.
 */
export function retryAfterConduct(gapMs: number, retryAfterMs: number): RetryAfterConduct {
  if (gapMs < retryAfterMs - RETRY_AFTER_GRACE_MS) return 'early'
  if (gapMs > Math.ceil(retryAfterMs / 1000) * 1000 + RETRY_AFTER_LATE_SLACK_MS) return 'late'
  return 'honoured'
}

/** Quartiles of a sample (nearest rank). */
export function quartiles(values: readonly number[]): { q1: number; median: number; q3: number } {
  return { q1: percentile(values, 25), median: percentile(values, 50), q3: percentile(values, 75) }
}
