import { createHistogram, type RecordableHistogram } from 'node:perf_hooks'

/** How late something happened against its plan, summarised: count, 99th percentile and worst (ms). */
export interface LagStats {
  count: number
  p99Ms: number
  maxMs: number
}

export const NO_LAG: LagStats = { count: 0, p99Ms: 0, maxMs: 0 }

/** Summarises a list of lags (ms); empty gives zeros. */
export function lagStatsOf(values: number[]): LagStats {
  if (values.length === 0) return { ...NO_LAG }
  const sorted = Float64Array.from(values).sort()
  const at = Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)
  return { count: sorted.length, p99Ms: roundMs(sorted[at] ?? 0), maxMs: roundMs(sorted[sorted.length - 1] ?? 0) }
}

/** Records lags (ms) in constant memory (a histogram in µs): for hot paths that see millions of values. */
export class LagRecorder {
  private histogram: RecordableHistogram = createHistogram()

  add(ms: number): void {
    this.histogram.record(Math.max(1, Math.round(ms * 1000)))
  }

  reset(): void {
    this.histogram.reset()
  }

  stats(): LagStats {
    const h = this.histogram
    if (h.count === 0) return { ...NO_LAG }
    return { count: h.count, p99Ms: roundMs(h.percentile(99) / 1000), maxMs: roundMs(h.max / 1000) }
  }
}

/** Milliseconds to two decimals, as lag figures are reported. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100
}
