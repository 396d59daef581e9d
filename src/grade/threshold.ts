import { parseDurationMs } from '../duration.js'

export type Stat = { kind: 'p'; q: number } | { kind: 'avg' } | { kind: 'max' } | { kind: 'min' } | { kind: 'value' }
export type Op = '<' | '<=' | '>' | '>=' | '==' | '!='

/** A parsed threshold: `">= 0.99"`, `"p(99) < 2s"`, `"<= 3"`, `"avg < 300ms"`. */
export interface Threshold {
  stat: Stat
  op: Op
  /** The bound; durations are in milliseconds. */
  value: number
  text: string
}

const GRAMMAR = /^\s*(?:(p\((\d+(?:\.\d+)?)\)|avg|max|min)\s*)?(<=|>=|==|!=|<|>)\s*(\S+)\s*$/

/** Parses a threshold, or returns an error message that says how to write one. */
export function parseThreshold(input: string | number): Threshold | string {
  const text = typeof input === 'number' ? `>= ${input}` : input
  const m = GRAMMAR.exec(text)
  if (!m) return `"${text}" is not a threshold; write it like ">= 0.99", "<= 3", "p(99) < 2s" or "avg < 300ms"`
  const [, statText, q, op, raw] = m
  const value = raw !== undefined && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : parseDurationMs(raw ?? '')
  if (value === undefined) return `"${raw}" in "${text}" is not a number or a duration`
  let stat: Stat = { kind: 'value' }
  if (q !== undefined) {
    const n = Number(q)
    if (n <= 0 || n > 100) return `p(${q}) in "${text}": the percentile must be in (0, 100]`
    stat = { kind: 'p', q: n }
  } else if (statText === 'avg' || statText === 'max' || statText === 'min') stat = { kind: statText }
  return { stat, op: op as Op, value, text: text.trim() }
}

export function compare(value: number, t: Threshold): boolean {
  switch (t.op) {
    case '<':
      return value < t.value
    case '<=':
      return value <= t.value
    case '>':
      return value > t.value
    case '>=':
      return value >= t.value
    case '==':
      return Math.abs(value - t.value) < 1e-9
    case '!=':
      return Math.abs(value - t.value) >= 1e-9
  }
}

/** The qth percentile (nearest rank) of values; NaN for none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length))
  return sorted[rank - 1] ?? Number.NaN
}

/** Reduces a sample to one number as the threshold's statistic asks (`value` means the default statistic). */
export function reduce(values: readonly number[], stat: Stat, fallback: Stat): number {
  const s = stat.kind === 'value' ? fallback : stat
  switch (s.kind) {
    case 'p':
      return percentile(values, s.q)
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length
    // reduce, not Math.max(...values): spreading a long run's sample overflows the call stack.
    case 'max':
      return values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY)
    case 'min':
      return values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY)
    case 'value':
      return values[0] ?? Number.NaN
  }
}

/** Parses `client.success_rate[outage]` into a check name and a phase scope. */
export function parseCheckKey(key: string): { name: string; phase: string | null } {
  const m = /^([a-z_]+\.[a-z_]+)(?:\[([A-Za-z0-9_.-]+)\])?$/.exec(key.trim())
  return m?.[1] ? { name: m[1], phase: m[2] ?? null } : { name: key, phase: null }
}
