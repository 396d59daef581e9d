import { describe, expect, it } from 'vitest'
import { arrivalTimes, phaseSegments, stageSegments } from '../src/load/schedule.js'
import { rngFor } from '../src/rng.js'

function integral(segments: ReturnType<typeof phaseSegments>): number {
  return segments.reduce((sum, s) => sum + ((s.fromRate + s.toRate) / 2) * ((s.endMs - s.startMs) / 1000), 0)
}

describe('arrival schedule', () => {
  it('spaces a constant rate exactly, starting at zero', () => {
    expect(arrivalTimes(phaseSegments([{ duration: 1000 }], 5))).toEqual([0, 200, 400, 600, 800])
  })

  it('follows each phase its own rate', () => {
    const times = arrivalTimes(
      phaseSegments(
        [
          { duration: 1000, rate: 2 },
          { duration: 1000, rate: 4 },
        ],
        1,
      ),
    )
    expect(times).toEqual([0, 500, 1000, 1250, 1500, 1750])
  })

  it('ramps linearly between stages', () => {
    const times = arrivalTimes(stageSegments([{ duration: 10_000, rate: 10 }], 10_000))
    expect(times.length).toBe(50)
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0))
    expect(gaps.every((g, i) => i === 0 || g <= (gaps[i - 1] ?? Number.POSITIVE_INFINITY) + 1e-6)).toBe(true)
  })

  it('holds the last stage rate until the end', () => {
    const segs = stageSegments([{ duration: 1000, rate: 10 }], 3000)
    expect(segs.at(-1)).toMatchObject({ startMs: 1000, endMs: 3000, fromRate: 10, toRate: 10 })
  })

  it('property: for random piecewise rates, the count matches the integral, times rise and stay in range', () => {
    const rng = rngFor('schedule-property')
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rng() * 5)
      const stages = Array.from({ length: n }, () => ({ duration: 100 + Math.floor(rng() * 5000), rate: rng() * 200 }))
      const total = stages.reduce((s, x) => s + x.duration, 0) + Math.floor(rng() * 2000)
      const segments = rng() < 0.5 ? stageSegments(stages, total) : phaseSegments(stages, 1)
      const times = arrivalTimes(segments)
      const expected = integral(segments)
      expect(Math.abs(times.length - expected)).toBeLessThanOrEqual(1 + segments.length)
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] ?? 0)
      expect(times.every((t) => t >= 0 && t < (segments.at(-1)?.endMs ?? 0))).toBe(true)
    }
  })
})
