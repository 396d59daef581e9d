import { monitorEventLoopDelay } from 'node:perf_hooks'
import { type LagStats, NO_LAG, roundMs } from '../lag-stats.js'

/** The event loop's delay over a run: overall and the worst of each second. */
export interface EventLoopLag extends LagStats {
  /** The worst delay of each second of the run, ms. */
  perSecondMaxMs: number[]
}

export interface HarnessMonitor {
  /** Stops sampling and returns what was measured. */
  stop(): EventLoopLag
}

const RESOLUTION_MS = 10

/**
 * Measures how late brownout's own event loop runs during a run (perf_hooks' event-loop delay, sampled every
 * 10 ms): the driver, the upstreams and the grading of timings all share it, so a blocked loop delays sends,
 * arrivals and scheduled writes alike. Its per-second worst is read once a second (cheap: one timer).
 */
export function startHarnessMonitor(): HarnessMonitor {
  // Two monitors: one for the whole run, one read and reset each second (an interval histogram cannot be merged).
  const total = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  const interval = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  const perSecondMaxMs: number[] = []
  const fold = () => {
    if (interval.count > 0) perSecondMaxMs.push(toMs(interval.max))
    interval.reset()
  }
  total.enable()
  interval.enable()
  const timer = setInterval(fold, 1000)
  timer.unref()
  return {
    stop: () => {
      clearInterval(timer)
      interval.disable()
      total.disable()
      fold()
      if (total.count === 0) return { ...NO_LAG, perSecondMaxMs }
      // The histogram counts the sampling interval itself: what is beyond it is the delay.
      const beyond = (ns: number) => Math.max(0, toMs(ns) - RESOLUTION_MS)
      return {
        count: total.count,
        p99Ms: roundMs(beyond(total.percentile(99))),
        maxMs: roundMs(beyond(total.max)),
        perSecondMaxMs: perSecondMaxMs.map((ms) => roundMs(Math.max(0, ms - RESOLUTION_MS))),
      }
    },
  }
}

function toMs(ns: number): number {
  return ns / 1e6
}
