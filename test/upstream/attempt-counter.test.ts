import { describe, expect, it } from 'vitest'
import { AttemptCounter } from '../../src/upstream/correlation.js'

describe('the attempt counter', () => {
  it("counts each id's attempts, brownout's numbered ids and any others alike", () => {
    const c = new AttemptCounter()
    const ids = ['brn-abc12-0', 'brn-abc12-1', 'brn-abc12-70000', 'brn-xyz-1', 'brn-abc12-01', 'req-7', 'brn-abc12-1']
    expect(ids.map((id) => c.next(id))).toEqual([1, 1, 1, 1, 1, 1, 2])
    expect(c.next('brn-abc12-70000')).toBe(2)
    expect(c.next('brn-abc12-01')).toBe(2)
    expect(c.next('req-7')).toBe(2)
    c.clear()
    expect(ids.map((id) => c.next(id))).toEqual([1, 1, 1, 1, 1, 1, 2])
  })

  it('counts far-apart numbers past its slot budget in its map, each id still on its own', () => {
    const c = new AttemptCounter()
    // Numbers 4,096 apart take a slot chunk each: past the budget (1,024 chunks) they go to the map.
    const ids = Array.from({ length: 1200 }, (_, i) => `brn-r-${i * 4096}`)
    expect(ids.map((id) => c.next(id)).every((n) => n === 1)).toBe(true)
    expect(ids.map((id) => c.next(id)).every((n) => n === 2)).toBe(true)
  })
})
