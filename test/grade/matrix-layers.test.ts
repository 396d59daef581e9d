import { describe, expect, it } from 'vitest'
import { expectPasses, failures, runThroughGateway, verdictOf } from './matrix.js'

/** The gateway's own limits come from the scenario's sut_limits, as the resilient profile takes them. */
const RATE = { RATE_LIMIT: '{{sut_limits.rate}}' }
const BUDGET = { BUDGET_REQUESTS: '{{sut_limits.budget}}' }

describe('validity matrix: layers (a retrying SDK in front of the gateway)', () => {
  it('a gateway that tells the SDK not to retry again passes stacked-retries: SDK 1 × gateway 3', async () => {
    const result = await runThroughGateway('stacked-retries', { SHOULD_RETRY_HEADER: '1' })
    expectPasses(result)
    expect(result.layers?.worst[0]?.sdk.length).toBe(1)
    expect(result.layers?.worst[0]?.total).toBe(3)
  }, 30_000)

  it('a gateway that retries under a retrying SDK is caught by retries.stacked_amplification: 3 × 3', async () => {
    const result = await runThroughGateway('stacked-retries', { RETRIES: '2' })
    expect(verdictOf(result, 'retries.stacked_amplification'), failures(result)).toBe('fail')
    const worst = result.layers?.worst[0]
    expect(worst?.sdk.map((s) => [s.retry, s.attempts.length])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ])
    expect(result.checks.find((c) => c.key === 'retries.stacked_amplification')?.evidence).toContain(
      'SDK 3 × gateway 3 = 9 upstream attempts',
    )
  }, 30_000)
})

// One at a time: 60–90 requests a second each, several at once make the runs harness-limited on a busy machine.
describe('validity matrix: the gateway’s own limits', () => {
  it.each([
    ['gateway-rate-limit', RATE],
    ['gateway-budget', BUDGET],
  ])(
    'the resilient limiter passes %s',
    async (name, env) => {
      const result = await runThroughGateway(name, env)
      expect(result.passed, `${failures(result)} ${result.harnessLimited ?? ''}`).toBe(true)
      expect(verdictOf(result, 'limits.over_admitted')).toBe('pass')
      expect(verdictOf(result, 'limits.refusals_usable')).toBe('pass')
    },
    30_000,
  )

  it.each([
    [
      'a racy limiter (check, round trip, count)',
      'gateway-rate-limit',
      'limits.over_admitted',
      { ...RATE, DEFECTS: 'over-admit' },
    ],
    ['a racy budget', 'gateway-budget', 'limits.over_admitted', { ...BUDGET, DEFECTS: 'over-admit' }],
    [
      'its own 429s without Retry-After',
      'gateway-rate-limit',
      'limits.refusals_usable',
      { ...RATE, DEFECTS: 'limit-no-retry-after' },
    ],
    // A profile that takes the limit (the template) into a setting the gateway never enforces: a limiter that is
    // configured and admits everything. (A profile that does not take it at all gets no verdict on its limiter.)
    [
      'a limit it takes and never enforces',
      'gateway-rate-limit',
      'limits.over_admitted',
      { UNUSED_LIMIT: '{{sut_limits.rate}}' },
    ],
  ])(
    '%s is caught on %s by %s',
    async (_what, name, check, env) => {
      const result = await runThroughGateway(name, env)
      expect(verdictOf(result, check), failures(result)).toBe('fail')
    },
    30_000,
  )
})
