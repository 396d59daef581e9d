import { parseThreshold } from '../grade/threshold.js'
import type { DiffCheck } from './diff-input.js'

/** How a measured value moved from A to B, and whether that move is beyond what the same SUT varies by. */
export interface ValueMove {
  a: number
  b: number
  unit: string
  beyondNoise: boolean
  /** Judged against the check's threshold: toward passing is better; '!=' thresholds have no direction. */
  direction: 'better' | 'worse' | 'neutral'
  /** The rule that judged it, e.g. "two-proportion z-test, |z| ≥ 3". */
  rule: string
  /** The numbers behind the judgement, e.g. "z = 4.1" or "Δ 310 ms, needs 250 ms". */
  detail: string
}

/** |z| of a two-proportion test above which a move in a rate is called real (≈ 0.3 % false alarms per check). */
export const Z_BEYOND_NOISE = 3

/** Relative change and absolute floor per unit, for values with no sample size to test against. */
export const MOVE_RULES: Record<string, { relative: number; floor: number; what: string }> = {
  ms: { relative: 0.25, floor: 50, what: 'latency: |Δ| ≥ 25 % of the smaller and ≥ 50 ms' },
  s: { relative: 0.25, floor: 0.25, what: 'seconds: |Δ| ≥ 25 % of the smaller and ≥ 0.25 s' },
  x: { relative: 0.25, floor: 0.25, what: 'multiplier: |Δ| ≥ 25 % of the smaller and ≥ 0.25×' },
  'per-s': { relative: 0.2, floor: 1, what: 'throughput: |Δ| ≥ 20 % of the smaller and ≥ 1/s' },
  ratio: {
    relative: 0.5,
    floor: 0.1,
    what: 'a spread or share with no sample size (jitter): |Δ| ≥ 50 % of the smaller and ≥ 0.1',
  },
}

const DEFAULT_RULE = { relative: 0.2, floor: 0, what: 'other: |Δ| ≥ 20 % of the smaller' }

/** "3 of 40 …" at the start of a check's evidence: the counts behind a rate, when the value is that rate or count. */
export function proportionOf(check: DiffCheck): { x: number; n: number } | null {
  const m = /^(\d+) of (\d+)\b/.exec(check.evidence)
  if (!m || check.value === null) return null
  const x = Number(m[1])
  const n = Number(m[2])
  if (n === 0) return null
  const isRate = check.unit === 'ratio' && Math.abs(check.value - x / n) < 1e-9
  const isCount = check.unit === 'count' && check.value === x
  return isRate || isCount ? { x, n } : null
}

/** Two-proportion z statistic (pooled); 0 when both sides are all-or-nothing alike. */
export function twoProportionZ(a: { x: number; n: number }, b: { x: number; n: number }): number {
  const pooled = (a.x + b.x) / (a.n + b.n)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
  if (se === 0) return 0
  return (b.x / b.n - a.x / a.n) / se
}

/** Toward the threshold's passing side is better; for `==`, closer to the bound is better. */
export function directionOf(a: number, b: number, threshold: string): ValueMove['direction'] {
  const t = parseThreshold(threshold)
  if (typeof t === 'string' || a === b) return 'neutral'
  switch (t.op) {
    case '>':
    case '>=':
      return b > a ? 'better' : 'worse'
    case '<':
    case '<=':
      return b < a ? 'better' : 'worse'
    case '==':
      return Math.abs(b - t.value) < Math.abs(a - t.value) ? 'better' : 'worse'
    case '!=':
      return 'neutral'
  }
}

/**
 * Whether a check's value moved beyond noise from A to B: a rate or a count of "x of n" by a two-proportion
 * z-test; another count by a Poisson test; anything else by a relative change with an absolute floor per unit
 * (MOVE_RULES). Null when either
 * side measured nothing.
 */
export function judgeMove(a: DiffCheck, b: DiffCheck): ValueMove | null {
  if (a.value === null || b.value === null) return null
  const base = { a: a.value, b: b.value, unit: b.unit, direction: directionOf(a.value, b.value, b.threshold) }
  const pa = proportionOf(a)
  const pb = proportionOf(b)
  if (pa && pb) {
    const z = twoProportionZ(pa, pb)
    return {
      ...base,
      beyondNoise: Math.abs(z) >= Z_BEYOND_NOISE,
      rule: `two-proportion z-test, |z| ≥ ${Z_BEYOND_NOISE}`,
      detail: `${pa.x}/${pa.n} → ${pb.x}/${pb.n}, z = ${z.toFixed(1)}`,
    }
  }
  if (b.unit === 'count') return poissonMove(base, a.value, b.value)
  const rule = MOVE_RULES[b.unit] ?? DEFAULT_RULE
  const delta = Math.abs(b.value - a.value)
  const needed = Math.max(rule.relative * Math.min(Math.abs(a.value), Math.abs(b.value)), rule.floor)
  return {
    ...base,
    beyondNoise: delta > 0 && delta >= needed,
    rule: rule.what,
    detail: `|Δ| ${round(delta)}, needs ${round(needed)}`,
  }
}

/** A count with no sample size to compare against: a Poisson test, |b − a| ≥ 3·√(a + b). */
export const POISSON_RULE = `count: |b − a| ≥ ${Z_BEYOND_NOISE}·√(a + b) (Poisson)`

function poissonMove(base: Omit<ValueMove, 'beyondNoise' | 'rule' | 'detail'>, a: number, b: number): ValueMove {
  const spread = Math.sqrt(Math.abs(a) + Math.abs(b))
  const z = spread === 0 ? 0 : (b - a) / spread
  return {
    ...base,
    beyondNoise: Math.abs(z) >= Z_BEYOND_NOISE,
    rule: POISSON_RULE,
    detail: `${a} → ${b}, z = ${z.toFixed(1)}`,
  }
}

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/\.?0+$/, '')
}

/**
 * A threshold that allows no single bad case (`== 0`, `<= 0`, `>= 1` on a rate): the check itself says one
 * occurrence is a failure, so a verdict flip on it is never put down to noise.
 */
export function zeroTolerance(threshold: string, unit: string): boolean {
  const t = parseThreshold(threshold)
  if (typeof t === 'string') return false
  if (t.op === '==') return true
  if ((t.op === '<=' && t.value === 0) || (t.op === '<' && t.value <= 1 && unit === 'count')) return true
  return unit === 'ratio' && ((t.op === '>=' && t.value >= 1) || (t.op === '>' && t.value >= 0.999999))
}
