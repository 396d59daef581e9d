import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { LagRecorder } from '../lag-stats.js'
import type { JournalEntry } from './journal.js'
import { KeyedHistogram } from './keyed-histogram.js'

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/** Prometheus metrics of one upstream, in a registry of its own (several upstreams may share a process). */
export class UpstreamMetrics {
  readonly registry = new Registry()
  /**
   * Attempts counted since brownout_requests_total was last read, by series (path, status, fault): added to it
   * when it is read, so that an attempt costs a map lookup, not a labelled increment.
   */
  private readonly uncounted = new Map<string, { labels: Record<string, string>; n: number }>()
  private readonly firstByte: KeyedHistogram
  private readonly duration: KeyedHistogram
  private readonly late: Histogram<'upstream'>
  /** The same timing error since the last reset, for a run's own record of how well brownout kept time. */
  readonly timingError = new LagRecorder()
  /** Records how late a scheduled write went out (ms): brownout's own timing error. */
  readonly lateness = (ms: number): void => {
    this.late.observe({ upstream: this.upstream }, ms / 1000)
    this.timingError.add(ms)
  }

  constructor(
    readonly upstream: string,
    gauges: { inFlight: () => number; queued: () => number },
  ) {
    const registers = [this.registry]
    const uncounted = this.uncounted
    new Counter({
      name: 'brownout_requests_total',
      help: 'Attempts served, by path, status ("none" when no status line was sent) and fault ("none" when clean)',
      labelNames: ['upstream', 'path', 'status', 'fault'],
      registers,
      collect() {
        for (const pending of uncounted.values()) if (pending.n > 0) this.inc(pending.labels, pending.n)
        for (const pending of uncounted.values()) pending.n = 0
      },
    })
    this.firstByte = new KeyedHistogram(
      'brownout_ttft_seconds',
      'Time from arrival to the first byte sent (time to first token for streams)',
      LATENCY_BUCKETS,
      this.registry,
    )
    this.duration = new KeyedHistogram(
      'brownout_request_duration_seconds',
      'Time from arrival to the end of the exchange',
      LATENCY_BUCKETS,
      this.registry,
    )
    this.late = new Histogram({
      name: 'brownout_timing_error_seconds',
      help: 'How late scheduled writes (tokens after a delay) went out against their schedule',
      labelNames: ['upstream'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    })
    new Gauge({
      name: 'brownout_in_flight',
      help: 'Requests being served now',
      labelNames: ['upstream'],
      registers,
      collect() {
        this.set({ upstream }, gauges.inFlight())
      },
    })
    new Gauge({
      name: 'brownout_queue_depth',
      help: 'Requests waiting for a concurrency slot',
      labelNames: ['upstream'],
      registers,
      collect() {
        this.set({ upstream }, gauges.queued())
      },
    })
  }

  observe(entry: JournalEntry): void {
    const { upstream } = this
    const { path } = entry
    const status = entry.status === null ? 'none' : String(entry.status)
    const fault = entry.faults.length > 0 ? entry.faults.join('+') : 'none'
    const key = `${path}\u0000${status}`
    const countKey = `${key}\u0000${fault}`
    const pending = this.uncounted.get(countKey)
    if (pending) pending.n++
    else this.uncounted.set(countKey, { labels: { upstream, path, status, fault }, n: 1 })
    if (entry.firstByteMs !== null) this.firstByte.observe(path, () => ({ upstream, path }), entry.firstByteMs / 1000)
    this.duration.observe(key, () => ({ upstream, path, status }), entry.durationMs / 1000)
  }
}
