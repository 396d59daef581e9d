import { describe, expect, it } from 'vitest'
import { expectPasses, failures, runThroughGateway, verdictOf } from './matrix.js'

const MATRIX_SCENARIOS = [
  'transient-503',
  'fatal-400',
  'rate-limit-retry-after',
  'sustained-outage',
  'hang-first-attempt',
  'stream-reset-mid-stream',
  'baseline',
  'gemini-429-retryinfo',
  'gemini-503-burst',
]

describe.concurrent('validity matrix: the correct gateway passes every scenario', () => {
  it.each(MATRIX_SCENARIOS)(
    '%s',
    async (name) => {
      const result = await runThroughGateway(name)
      expectPasses(result)
      expect(result.checks.filter((c) => c.verdict === 'fail' && c.required)).toEqual([])
    },
    30_000,
  )
})

describe('the reference gateway’s retry budget', () => {
  const amplification = (r: Awaited<ReturnType<typeof runThroughGateway>>) =>
    r.checks.find((c) => c.key === 'retries.amplification')?.value ?? Number.NaN

  it('gives one retry, not two, once most retries keep failing (persistent 429s)', async () => {
    // Without the budget every request makes exactly 3 attempts; with it, only the first few do.
    const without = await runThroughGateway('rate-limit-no-retry-after', { RETRY_BUDGET: '0' })
    expect(amplification(without)).toBe(3)
    const within = await runThroughGateway('rate-limit-no-retry-after', { RETRY_BUDGET: '1' })
    expect(amplification(within)).toBeGreaterThan(1.9)
    expect(amplification(within)).toBeLessThan(2.5)
  }, 30_000)

  it('leaves retries that work alone (a first attempt that always fails)', async () => {
    const result = await runThroughGateway('transient-503', { RETRY_BUDGET: '1' })
    expectPasses(result)
    expect(result.checks.find((c) => c.key === 'retries.transient_retried')?.value).toBe(1)
  }, 30_000)
})

/** Right retry timing, each held to a pass on the check that judges it. */
const RIGHT_TIMING: Array<[string, string, string, Record<string, string>]> = [
  ['full jitter', 'transient-503', 'retries.jitter', {}],
  ['equal jitter', 'transient-503', 'retries.jitter', { JITTER: 'equal', BACKOFF_MS: '500' }],
  ['the SDKs’ 25 % jitter', 'transient-503', 'retries.jitter', { JITTER: 'sdk', BACKOFF_MS: '500' }],
  [
    'exponential backoff, SDK jitter',
    'rate-limit-no-retry-after',
    'retries.backoff_growth',
    { JITTER: 'sdk', BACKOFF_MS: '200' },
  ],
  [
    'reads only the whole-second retry-after',
    'rate-limit-retry-after',
    'retries.retry_after_honored',
    { RETRY_AFTER: 'seconds' },
  ],
]

describe.sequential('validity matrix: right retry timing passes the check that judges it', () => {
  it.each(RIGHT_TIMING)(
    '%s (%s) → %s',
    async (_policy, scenario, check, env) => {
      const result = await runThroughGateway(scenario, env)
      expect(verdictOf(result, check), failures(result)).toBe('pass')
    },
    30_000,
  )
})
