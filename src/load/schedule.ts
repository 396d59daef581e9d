/** A stretch of time over which the arrival rate moves linearly from `fromRate` to `toRate` (per second). */
export interface RateSegment {
  startMs: number
  endMs: number
  fromRate: number
  toRate: number
}

/**
 * Arrival times (ms since start) of an open-model load: the kth arrival is where the integral of the rate reaches
 * k, so a constant 10/s gives 0, 100, 200 ... ms and a ramp spaces arrivals ever closer. Pure: same input, same
 * schedule.
 */
export function arrivalTimes(segments: readonly RateSegment[]): number[] {
  const times: number[] = []
  let done = 0 // arrivals completed before the current segment, as a real number
  for (const seg of segments) {
    const T = (seg.endMs - seg.startMs) / 1000
    if (T <= 0) continue
    const a = (seg.toRate - seg.fromRate) / (2 * T)
    const b = seg.fromRate
    const total = b * T + a * T * T
    for (let k = Math.ceil(done - 1e-9); k < done + total - 1e-9; k++) {
      const need = k - done
      const t = Math.abs(a) < 1e-12 ? need / b : (-b + Math.sqrt(Math.max(0, b * b + 4 * a * need))) / (2 * a)
      const ms = seg.startMs + t * 1000
      if (ms >= seg.endMs) break
      times.push(ms)
    }
    done += total
  }
  return times
}

/** Constant rate per phase (each phase's own rate, or the default). */
export function phaseSegments(
  phases: ReadonlyArray<{ duration: number; rate?: number | undefined }>,
  defaultRate: number,
): RateSegment[] {
  let t = 0
  return phases.map((p) => {
    const rate = p.rate ?? defaultRate
    const seg = { startMs: t, endMs: t + p.duration, fromRate: rate, toRate: rate }
    t += p.duration
    return seg
  })
}

/** Linear ramps between stage targets (starting from 0/s), holding the last rate until `totalMs`. */
export function stageSegments(
  stages: ReadonlyArray<{ duration: number; rate: number }>,
  totalMs: number,
): RateSegment[] {
  const segments: RateSegment[] = []
  let t = 0
  let rate = 0
  for (const stage of stages) {
    if (t >= totalMs) break
    const end = Math.min(totalMs, t + stage.duration)
    const toRate = rate + ((stage.rate - rate) * (end - t)) / stage.duration
    segments.push({ startMs: t, endMs: end, fromRate: rate, toRate })
    t = end
    rate = toRate
  }
  if (t < totalMs) segments.push({ startMs: t, endMs: totalMs, fromRate: rate, toRate: rate })
  return segments
}

/**
 * The first `n` arrivals of a schedule (`load.requests`): cut short, or carried on past the end of the segments at
 * the last rate (1/s when it is 0) so that exactly `n` requests are sent.
 */
export function firstArrivals(segments: readonly RateSegment[], n: number): number[] {
  const times = arrivalTimes(segments).slice(0, n)
  const last = segments[segments.length - 1]
  const gapMs = 1000 / (last && last.toRate > 0 ? last.toRate : 1)
  while (times.length < n) times.push(times.length === 0 ? 0 : (times[times.length - 1] ?? 0) + gapMs)
  return times
}
