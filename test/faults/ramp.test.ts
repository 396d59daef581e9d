import { describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { FaultEngine, ruleSchema } from '../../src/faults/rules.js'
import type { Plan } from '../../src/upstream/plan.js'
import { chatExchange, sceneOf } from '../exchange.js'

const basePlan: Plan = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  headersAtMs: 0,
  steps: [{ kind: 'end', atMs: 0 }],
}
const START = 1_000_000
const clock = manualClock(START)
const exchange = (ms: number) =>
  chatExchange({ id: `r${ms}`, attempt: 1, clock, arrivalMs: START + ms, body: { model: 'gpt-4o-mini' } })
const scene = sceneOf(exchange(0))

/** The headers delay a `delay` with `ramp_to` gives an attempt arriving `ms` after the start. */
function delayAt(engine: FaultEngine, ms: number): number | null | undefined {
  return engine.apply(exchange(ms), 1, basePlan, scene)?.plan.headersAtMs
}

describe('delay ramp_to: a TTFT that drifts over its window', () => {
  const phases = [
    { name: 'calm', startMs: 0, endMs: 1000 },
    { name: 'brownout', startMs: 1000, endMs: 3000 },
  ]

  it('drifts linearly from duration to ramp_to over the rule’s phase, the same on every run', () => {
    const rule = ruleSchema.parse({
      when: { during: 'brownout' },
      fault: { type: 'delay', duration: '200ms', ramp_to: '1200ms' },
    })
    const engine = new FaultEngine([rule], { seed: 1, clock, phases })
    expect(delayAt(engine, 500)).toBeUndefined()
    expect(delayAt(engine, 1000)).toBe(200)
    expect(delayAt(engine, 2000)).toBe(700)
    expect(delayAt(engine, 2999)).toBeCloseTo(1199.5, 1)
    const again = new FaultEngine([rule], { seed: 1, clock, phases })
    expect([1000, 1500, 2500].map((ms) => delayAt(again, ms))).toEqual([200, 450, 950])
  })

  it('without `during`, drifts over the whole run; without ramp_to, stays put', () => {
    const ramp = ruleSchema.parse({ fault: { type: 'delay', duration: '0ms', ramp_to: '3s' } })
    expect(delayAt(new FaultEngine([ramp], { seed: 1, clock, phases }), 1500)).toBe(1500)
    const flat = ruleSchema.parse({ fault: { type: 'delay', duration: '300ms' } })
    expect(delayAt(new FaultEngine([flat], { seed: 1, clock, phases }), 2500)).toBe(300)
  })
})
