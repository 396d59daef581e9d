import type { GradeContext } from './context.js'
import type { Stat } from './threshold.js'

/** What a check measured. `value: null` means no evidence: the situation it needs never happened. */
export interface Measurement {
  value: number | null
  /** A sample the threshold's statistic reduces (latency percentiles); `value` is then ignored. */
  sample?: number[]
  /** One line: what was counted, e.g. "3 of 40 requests". */
  evidence: string
  /** Up to three request ids that show the problem (or the behaviour). */
  examples: string[]
  /**
   * The value is a lower bound: the run ended before the measured thing did (still failing at the end). Such a
   * value can prove a fail (at least 2 s against `<= 1.5`) but never a pass: a bound that meets the threshold is
   * no evidence.
   */
  atLeast?: boolean
}

export interface CheckDefinition {
  name: string
  summary: string
  unit: 'ratio' | 'ms' | 'count' | 's' | 'per-s' | 'x'
  /** Statistic for sample checks when the threshold names none (e.g. p(95)). */
  stat?: Stat
  /** Applied when the scenario's `expect` does not mention the check. */
  defaultExpect?: { threshold: string; required: boolean }
  measure(ctx: GradeContext): Measurement
}

export function defineCheck(def: CheckDefinition): CheckDefinition {
  return def
}

export const noEvidence = (evidence: string): Measurement => ({ value: null, evidence, examples: [] })

export function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole
}
