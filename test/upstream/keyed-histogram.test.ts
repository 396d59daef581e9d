import { Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { KeyedHistogram } from '../../src/upstream/keyed-histogram.js'

const BUCKETS = [0.005, 0.01, 0.1, 1, 5]

describe('KeyedHistogram', () => {
  it("exports what prom-client's Histogram exports for the same observations (text and JSON)", async () => {
    const theirs = new Registry()
    const ours = new Registry()
    const reference = new Histogram({
      name: 'h_seconds',
      help: 'help',
      labelNames: ['a', 'b'],
      buckets: BUCKETS,
      registers: [theirs],
    })
    const keyed = new KeyedHistogram('h_seconds', 'help', BUCKETS, ours)
    const values = [0, 0.005, 0.0051, 0.3, 7, 1e-9, 0.1, 5, 5.0001, 0.02, 1 / 3]
    for (const [i, v] of values.entries()) {
      const labels = { a: `x${i % 3}`, b: i % 2 === 0 ? 'even' : 'odd' }
      reference.observe(labels, v)
      keyed.observe(`${labels.a}|${labels.b}`, () => labels, v)
    }
    expect(await ours.metrics()).toBe(await theirs.metrics())
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON())
    expect(await ours.metrics()).toContain('h_seconds_bucket{le="0.01",a="x1",b="odd"} 1')
    keyed.reset()
    reference.reset()
    expect(await ours.metrics()).toBe(await theirs.metrics())
  })

  it('refuses a value that is not a number, as prom-client does', () => {
    const keyed = new KeyedHistogram('h_seconds', 'help', BUCKETS, new Registry())
    expect(() => keyed.observe('k', () => ({}), Number.NaN)).toThrow(TypeError)
  })
})
