import { describe, expect, it } from 'vitest'
import { goDuration, parseDurationMs } from '../../src/duration.js'
import { rngFor } from '../../src/rng.js'
import { startUpstream } from '../../src/upstream/server.js'
import { distributionSchema, sample } from '../../src/upstream/timing.js'

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}

function draw(spec: unknown, n = 20_000): number[] {
  const dist = distributionSchema.parse(spec)
  const rng = rngFor('timing-test')
  return Array.from({ length: n }, () => sample(dist, rng))
}

describe('latency distributions', () => {
  it('fixed: a bare duration is a fixed delay', () => {
    expect(new Set(draw('120ms', 10))).toEqual(new Set([120]))
  })

  it('uniform stays within its bounds with the right mean', () => {
    const xs = draw({ dist: 'uniform', min: '100ms', max: '300ms' })
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(100)
    expect(Math.max(...xs)).toBeLessThanOrEqual(300)
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeGreaterThan(195)
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeLessThan(205)
  })

  it('normal has its mean and standard deviation, clamped at zero', () => {
    const xs = draw({ dist: 'normal', mean: 200, stddev: 20 })
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length)
    expect(mean).toBeGreaterThan(198)
    expect(mean).toBeLessThan(202)
    expect(sd).toBeGreaterThan(19)
    expect(sd).toBeLessThan(21)
    expect(Math.min(...draw({ dist: 'normal', mean: 1, stddev: 50 }))).toBeGreaterThanOrEqual(0)
  })

  it('lognormal given p50 and p99 lands on both', () => {
    const xs = draw({ dist: 'lognormal', p50: '200ms', p99: '2s' })
    expect(quantile(xs, 0.5)).toBeGreaterThan(190)
    expect(quantile(xs, 0.5)).toBeLessThan(210)
    expect(quantile(xs, 0.99)).toBeGreaterThan(1800)
    expect(quantile(xs, 0.99)).toBeLessThan(2200)
  })

  it('lognormal given median and sigma honours its clamp', () => {
    const xs = draw({ dist: 'lognormal', median: 100, sigma: 1, clamp: { min: 50, max: 400 } })
    expect(Math.min(...xs)).toBe(50)
    expect(Math.max(...xs)).toBe(400)
  })

  it('rejects a duration that is not one, saying how to write it', () => {
    const parsed = distributionSchema.safeParse('fast')
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues.some((i) => i.message.includes('250ms'))).toBe(true)
  })
})

describe('durations', () => {
  it('parses units and bare milliseconds', () => {
    expect(parseDurationMs('250ms')).toBe(250)
    expect(parseDurationMs('1.5s')).toBe(1500)
    expect(parseDurationMs('2m')).toBe(120_000)
    expect(parseDurationMs(40)).toBe(40)
    expect(parseDurationMs('soon')).toBeUndefined()
  })

  it('formats like Go for OpenAI reset headers', () => {
    expect(goDuration(12)).toBe('12ms')
    expect(goDuration(1000)).toBe('1s')
    expect(goDuration(360_000)).toBe('6m0s')
    expect(goDuration(1500)).toBe('1.5s')
  })
})

describe('timing on the wire', () => {
  it('delivers the first token after ttft and spaces tokens by itl (tolerance band)', async () => {
    const upstream = await startUpstream({ port: 0, latency: { ttft: '150ms', itl: '20ms' } })
    try {
      const sent = performance.now()
      const res = await fetch(`${upstream.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'm', stream: true, max_tokens: 6, messages: [{ role: 'user', content: 'x' }] }),
      })
      const reader = res.body?.getReader()
      const arrivals: number[] = []
      const decoder = new TextDecoder()
      for (;;) {
        const { done, value } = (await reader?.read()) ?? { done: true, value: undefined }
        if (done) break
        const n = decoder.decode(value).match(/"content":"[^"]/g)?.length ?? 0
        for (let i = 0; i < n; i++) arrivals.push(performance.now() - sent)
      }
      expect(arrivals[0]).toBeGreaterThanOrEqual(145)
      expect(arrivals[0]).toBeLessThan(400)
      expect(arrivals).toHaveLength(6)
      // The last token cannot arrive before ttft + 5 gaps; reads may coalesce, so earlier ones are not asserted.
      const last = arrivals[arrivals.length - 1] ?? 0
      expect(last).toBeGreaterThanOrEqual(150 + 5 * 20 - 2)
      expect(last).toBeLessThan(150 + 5 * 20 + 250)
    } finally {
      await upstream.close()
    }
  })

  it('makes a non-streaming response take the equivalent total time', async () => {
    const upstream = await startUpstream({ port: 0, latency: { ttft: '100ms', itl: '10ms' } })
    try {
      const sent = performance.now()
      await (
        await fetch(`${upstream.url}/v1/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({ model: 'm', max_tokens: 11, messages: [{ role: 'user', content: 'x' }] }),
        })
      ).json()
      const elapsed = performance.now() - sent
      expect(elapsed).toBeGreaterThanOrEqual(195)
      expect(elapsed).toBeLessThan(450)
    } finally {
      await upstream.close()
    }
  })
})
