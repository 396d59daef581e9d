import { defineCheck, noEvidence, ratio } from './check.js'
import {
  freeGaps,
  gapToSameUpstream,
  harnessNoiseMs,
  JITTER_NOISE_MS,
  NO_BACKOFF_FLOOR_MS,
  quartiles,
  type RetryAfterConduct,
  retryAfterConduct,
} from './retry-gaps.js'
import { percentile } from './threshold.js'

const ms = (n: number) => `${Math.round(n)} ms`

/** Second retries needed to judge growth: with 5, full jitter that doubles read under ×1.1 in 4 % of runs. */
const GROWTH_SAMPLE = 10
/**
 * Growth ratios that cannot be told apart: fixed backoff with noise reads ≈ 1.0–1.05, a doubling backoff with full
 * jitter ≈ 2 but under 1.4 in ~4 % of runs of 10 second retries (simulated). Between the two: no evidence.
 */
const INCONCLUSIVE_GROWTH = [1.1, 1.4] as const

export const retryAfterHonored = defineCheck({
  name: 'retries.retry_after_honored',
  summary:
    "share of retries after a Retry-After that waited their own Retry-After before returning to that upstream (a failover owes it no wait): none earlier than it − 50 ms, none later than the whole-second header rounded up + 500 ms (reported apart as late); the wait is what the header's form means (an HTTP-date to its second; garbage, negative or missing mean none and are not judged here)",
  unit: 'ratio',
  defaultExpect: { threshold: '>= 0.99', required: true },
  measure: (ctx) => {
    const ids: Record<RetryAfterConduct, string[]> = { early: [], honoured: [], late: [] }
    for (const r of ctx.attempted()) {
      r.attempts.forEach((a, i) => {
        const gap = gapToSameUpstream(r.attempts, i)
        if (a.retryAfterMs !== null && gap !== undefined) ids[retryAfterConduct(gap, a.retryAfterMs)].push(r.id)
      })
    }
    const { early, honoured, late } = ids
    const total = early.length + honoured.length + late.length
    if (total === 0) return noEvidence('no retry followed a Retry-After')
    return {
      value: ratio(honoured.length, total),
      evidence: `${honoured.length} of ${total} retries waited out their own Retry-After; ${early.length} early, ${late.length} late (after the header's whole seconds + 0.5 s)`,
      examples: [...new Set([...early, ...late])].slice(0, 3),
    }
  },
})

export const jitter = defineCheck({
  name: 'retries.jitter',
  summary:
    'spread of first-retry gaps without Retry-After, interquartile range ÷ median: full jitter ≈ 1, equal jitter ≈ 0.33, the SDKs’ 25 % jitter ≈ 0.14, none 0. No backoff (every gap < 50 ms) or a spread under 10 ms (noise) counts 0',
  unit: 'ratio',
  defaultExpect: { threshold: '>= 0.05', required: false },
  measure: (ctx) => {
    const gaps = freeGaps(ctx, 0)
    if (gaps.length < 10) return noEvidence(`${gaps.length} first retries without Retry-After (need 10)`)
    const values = gaps.map((g) => g.gap)
    const { q1, median, q3 } = quartiles(values)
    // reduce, not Math.max(...values): spreading a long run's gaps overflows the call stack.
    const longest = values.reduce((m, v) => Math.max(m, v), Number.NEGATIVE_INFINITY)
    const examples = gaps.slice(0, 3).map((g) => g.id)
    const shape = `${gaps.length} first-retry gaps, quartiles ${ms(q1)} / ${ms(median)} / ${ms(q3)}, longest ${ms(longest)}`
    // No backoff only when even the longest gap is under the floor: full jitter over a short cap (U(0, 100 ms))
    // puts most gaps under it too, and its upper quartile alone fell under it in one suite run of five.
    if (longest < NO_BACKOFF_FLOOR_MS)
      return {
        value: 0,
        evidence: `no backoff: ${shape}, under the ${NO_BACKOFF_FLOOR_MS} ms floor (retries at once have no jitter)`,
        examples,
      }
    const noise = harnessNoiseMs(ctx)
    if (q3 - q1 < Math.max(JITTER_NOISE_MS, noise)) {
      if (noise <= JITTER_NOISE_MS)
        return { value: 0, evidence: `no jitter: ${shape}, a spread under ${JITTER_NOISE_MS} ms is noise`, examples }
      return noEvidence(
        `${shape}: a spread no wider than brownout's own timing noise (send lag p90 ${ms(noise)}) cannot be told from it; the machine was too busy, rerun on a quieter one`,
      )
    }
    return { value: (q3 - q1) / median, evidence: shape, examples }
  },
})

export const backoffGrowth = defineCheck({
  name: 'retries.backoff_growth',
  summary:
    'p90 of second-retry gaps ÷ p90 of first-retry gaps (floored at 50 ms), over at least 10 of each: exponential backoff ≈ 2, fixed ≈ 1; both under 50 ms is no backoff and counts 0; a ratio in 1.1–1.4 is inconclusive (no evidence)',
  unit: 'x',
  defaultExpect: { threshold: '>= 1.2', required: false },
  measure: (ctx) => {
    const first = freeGaps(ctx, 0)
    const second = freeGaps(ctx, 1)
    if (second.length < GROWTH_SAMPLE || first.length < GROWTH_SAMPLE)
      return noEvidence(
        `${first.length} first and ${second.length} second retries without Retry-After (need ${GROWTH_SAMPLE} of each)`,
      )
    // p90, not the median or a quartile: for full jitter (uniform below a cap that doubles) it tracks the cap with
    // the least sampling error short of the maximum, which one scheduling outlier would decide.
    const a = percentile(
      first.map((g) => g.gap),
      90,
    )
    const b = percentile(
      second.map((g) => g.gap),
      90,
    )
    const examples = second.slice(0, 3).map((g) => g.id)
    const shape = `p90 gaps ${ms(a)} then ${ms(b)} (${first.length} first, ${second.length} second retries)`
    if (a < NO_BACKOFF_FLOOR_MS && b < NO_BACKOFF_FLOOR_MS)
      return { value: 0, evidence: `no backoff: ${shape}, both under the ${NO_BACKOFF_FLOOR_MS} ms floor`, examples }
    const growth = b / Math.max(a, NO_BACKOFF_FLOOR_MS)
    if (growth >= INCONCLUSIVE_GROWTH[0] && growth < INCONCLUSIVE_GROWTH[1])
      return noEvidence(
        `${shape}: growth ×${growth.toFixed(2)} is between ${INCONCLUSIVE_GROWTH[0]} and ${INCONCLUSIVE_GROWTH[1]}, which a fixed backoff with noise and a doubling one with few samples can both give`,
      )
    return { value: growth, evidence: shape, examples }
  },
})
