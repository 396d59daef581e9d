import { describe, expect, it } from 'vitest'
import { grade } from '../../src/grade/grade.js'
import { retryAfterConduct } from '../../src/grade/retry-gaps.js'
import { rngFor } from '../../src/rng.js'
import { att, fault503, rec, run } from './builders.js'

function check(data: ReturnType<typeof run>, key: string) {
  const c = grade(data).checks.find((x) => x.key === key)
  if (!c) throw new Error(`no check ${key}`)
  return c
}

const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`)

/** Requests whose first attempt got 429 with Retry-After `ra(i)` and whose retry came `gap(i, ra)` ms later. */
function afterRetryAfter(n: number, ra: (i: number) => number, gap: (i: number, raMs: number) => number) {
  const list = ids(n, 'ra')
  return run(
    list.map((id) => rec(id)),
    list.flatMap((id, i) => {
      const raMs = ra(i)
      return [
        att(id, 1, i * 10_000, { status: 429, retryAfterMs: raMs, durationMs: 0, faults: ['rate-limit'] }),
        att(id, 2, i * 10_000 + gap(i, raMs)),
      ]
    }),
  )
}

/** Requests whose first attempts got 503 (no Retry-After), with the given retry gaps after each attempt. */
function afterFailures(gaps: number[][]) {
  const list = ids(gaps.length, 'g')
  return run(
    list.map((id) => rec(id)),
    list.flatMap((id, i) => {
      let t = i * 100_000
      const out = [fault503(id, 1, t, { durationMs: 0 })]
      gaps[i]?.forEach((gap, k) => {
        t += gap
        out.push(fault503(id, k + 2, t, { durationMs: 0 }))
      })
      return out
    }),
  )
}

/** Seeded Retry-After values spread over 1.3–3.7 s, as the catalogue's rate-limit-retry-after sends. */
const seededRa = (i: number) => Math.round(1300 + rngFor('ra', i)() * 2400)
const u = (i: number, k = 0) => rngFor('gap', i, k)()

describe('retries.retry_after_honored compares each retry with its own Retry-After', () => {
  it('classifies at the boundaries: early below RA − 50 ms, late past ceil(RA) s + 500 ms', () => {
    expect(retryAfterConduct(2366, 2417)).toBe('early')
    expect(retryAfterConduct(2367, 2417)).toBe('honoured')
    expect(retryAfterConduct(3500, 2417)).toBe('honoured')
    expect(retryAfterConduct(3501, 2417)).toBe('late')
    // A gateway that reads only the whole-second retry-after header waits ceil(RA): right, not late.
    expect(retryAfterConduct(2000, 1300)).toBe('honoured')
    expect(retryAfterConduct(1000, 1000)).toBe('honoured')
  })

  it('passes a gateway that waits each Retry-After (a few ms of overhead)', () => {
    const data = afterRetryAfter(30, seededRa, (i, ra) => ra + 2 + (i % 7))
    expect(check(data, 'retries.retry_after_honored')).toMatchObject({ verdict: 'pass', value: 1 })
  })

  it('passes a gateway that reads only the whole-second header (waits ceil(RA) s)', () => {
    const data = afterRetryAfter(30, seededRa, (_i, ra) => Math.ceil(ra / 1000) * 1000 + 3)
    expect(check(data, 'retries.retry_after_honored')).toMatchObject({ verdict: 'pass', value: 1 })
  })

  it('fails a fixed 1 s backoff that ignores Retry-After (gaps 1003–1034 ms, like stock Portkey)', () => {
    const data = afterRetryAfter(30, seededRa, (i) => 1003 + (i % 32))
    const c = check(data, 'retries.retry_after_honored')
    expect(c).toMatchObject({ verdict: 'fail', value: 0 })
    expect(c.evidence).toContain('30 early')
  })

  it('fails a fixed 2 s backoff: it matches only the Retry-Afters of 2 s or less', () => {
    const data = afterRetryAfter(30, seededRa, () => 2005)
    const c = check(data, 'retries.retry_after_honored')
    expect(c.verdict).toBe('fail')
    expect(c.value).toBeGreaterThan(0.1)
    expect(c.value).toBeLessThan(0.6)
  })

  it('reports a fixed backoff longer than every Retry-After as late, not honoured', () => {
    const data = afterRetryAfter(30, seededRa, () => 5000)
    const c = check(data, 'retries.retry_after_honored')
    expect(c).toMatchObject({ verdict: 'fail', value: 0 })
    expect(c.evidence).toContain('0 early, 30 late')
  })
})

/** First-retry gaps of 40 requests from a backoff policy, with a seeded U(0,1). */
const firstGaps = (policy: (x: number) => number) => afterFailures(ids(40, '').map((_, i) => [policy(u(i))]))

describe('retries.jitter: spread that noise cannot produce', () => {
  it('fails immediate retries (gaps 0–1 ms), saying there is no backoff', () => {
    const c = check(
      firstGaps((x) => x),
      'retries.jitter',
    )
    expect(c).toMatchObject({ verdict: 'fail', value: 0 })
    expect(c.evidence).toContain('no backoff')
  })

  it('fails immediate retries that scheduler noise spreads over 0–30 ms', () => {
    const c = check(
      firstGaps((x) => 30 * x ** 3),
      'retries.jitter',
    )
    expect(c).toMatchObject({ verdict: 'fail', value: 0 })
  })

  it('fails a fixed 100 ms backoff with scheduler noise (a late tail up to 60 ms)', () => {
    const c = check(
      firstGaps((x) => 100 + (x > 0.8 ? 60 * x : x)),
      'retries.jitter',
    )
    expect(c).toMatchObject({ verdict: 'fail', value: 0 })
    expect(c.evidence).toContain('noise')
  })

  it('passes full jitter under a short cap whose quartiles all sit under the 50 ms floor (U(0, 60 ms))', () => {
    // The resilient gateway's U(0, 100 ms) gave quartiles 8 / 35 / 48 ms in one suite run of five: not "no backoff".
    const c = check(
      firstGaps((x) => 60 * x),
      'retries.jitter',
    )
    expect(c.verdict).toBe('pass')
    expect(c.evidence).not.toContain('no backoff')
  })

  it.each([
    ['full jitter', (x: number) => 500 * x, 1],
    ['equal jitter', (x: number) => 250 + 250 * x, 0.33],
    ['the SDKs’ 25 % jitter', (x: number) => 500 * (1 - 0.25 * x), 0.14],
  ])('passes %s at about its expected spread', (_name, policy, expected) => {
    const c = check(firstGaps(policy), 'retries.jitter')
    expect(c.verdict).toBe('pass')
    expect(c.value).toBeGreaterThan(expected * 0.6)
    expect(c.value).toBeLessThan(expected * 1.5)
  })
})

describe('retries.backoff_growth: growth of gaps above the backoff floor', () => {
  const twoGaps = (policy: (x: number, k: number) => number) =>
    afterFailures(ids(30, '').map((_, i) => [policy(u(i, 0), 0), policy(u(i, 1), 1)]))

  it('fails immediate retries as no backoff, instead of dividing two ~0 ms gaps', () => {
    const c = check(
      twoGaps((x) => x),
      'retries.backoff_growth',
    )
    expect(c).toMatchObject({ verdict: 'fail', value: 0 })
    expect(c.evidence).toContain('no backoff')
  })

  it('fails a fixed backoff with noise (it does not grow)', () => {
    const c = check(
      twoGaps((x) => 100 + 5 * x),
      'retries.backoff_growth',
    )
    expect(c.verdict).toBe('fail')
    expect(c.value).toBeGreaterThan(0.9)
    expect(c.value).toBeLessThan(1.1)
  })

  it('says inconclusive, not fail, for a ratio between 1.1 and 1.4', () => {
    const c = check(
      twoGaps((x, k) => (k === 0 ? 100 : 125) + 5 * x),
      'retries.backoff_growth',
    )
    expect(c.verdict).toBe('no-evidence')
    expect(c.evidence).toContain('between 1.1 and 1.4')
  })

  it('needs 10 second retries: with 5, a doubling backoff reads under ×1.1 in 4 % of runs', () => {
    const c = check(afterFailures(ids(5, '').map((_, i) => [100 * u(i, 0), 200 * u(i, 1)])), 'retries.backoff_growth')
    expect(c.verdict).toBe('no-evidence')
  })

  it('passes exponential backoff with full jitter (≈ 2)', () => {
    const c = check(
      twoGaps((x, k) => 100 * 2 ** k * x),
      'retries.backoff_growth',
    )
    expect(c.verdict).toBe('pass')
    expect(c.value).toBeGreaterThan(1.5)
  })
})
