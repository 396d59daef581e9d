import { BrownoutError } from '../errors.js'

/**
 * One of `count` execution segments of a run's arrival schedule (k6's execution segments, striped): segment
 * `index` (0-based) sends the requests whose number n has n mod count = index, at the times the whole plan gives
 * them. The segments are disjoint, their union is exactly the single-process plan, and a request keeps its
 * number, id and content whichever segment sends it.
 */
export interface Segment {
  index: number
  count: number
}

/** How a segment is written on the command line and in reports: 1-based, `3/8`. */
export function segmentLabel(s: Segment): string {
  return `${s.index + 1}/${s.count}`
}

/** Parses `--segment 3/8` (the third of eight, 1-based as people count). */
export function parseSegment(text: string): Segment {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  const index = Number(m?.[1])
  const count = Number(m?.[2])
  if (!m || count < 1 || index < 1 || index > count || count > 10_000) {
    throw new BrownoutError('INVALID_USAGE', `--segment ${text}: expected K/N with 1 ≤ K ≤ N (e.g. --segment 3/8)`, {
      hint: 'N is how many segments the run is split into, K which one this process sends; merge the N folders with `brownout merge`',
    })
  }
  return { index: index - 1, count }
}

export function inSegment(n: number, s: Segment): boolean {
  return n % s.count === s.index
}

/** The arrivals of one segment: their times in the plan and their request numbers. */
export function segmentOf(schedule: readonly number[], s: Segment): { times: number[]; numbers: number[] } {
  const times: number[] = []
  const numbers: number[] = []
  for (let n = s.index; n < schedule.length; n += s.count) {
    times.push(schedule[n] ?? 0)
    numbers.push(n)
  }
  return { times, numbers }
}
