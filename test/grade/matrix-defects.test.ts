import { describe, expect, it } from 'vitest'
import { failures, runThroughGateway, verdictOf } from './matrix.js'

/** A fixed backoff of `ms` that ignores Retry-After. */
const fixed = (ms: number) => ({ RETRY_AFTER: '0', JITTER: 'none', BACKOFF_MS: String(ms), MAX_BACKOFF_MS: String(ms) })

/** Each deliberate defect, the scenario that exposes it, and the check meant to catch it. */
const DEFECTS: Array<[string, string, string, Record<string, string>, boolean]> = [
  ['no retry', 'transient-503', 'retries.transient_retried', { RETRIES: '0' }, true],
  ['retries 4xx', 'fatal-400', 'retries.fatal_retried', { DEFECTS: 'retry-4xx' }, true],
  ['ignores Retry-After', 'rate-limit-retry-after', 'retries.retry_after_honored', { RETRY_AFTER: '0' }, true],
  ['no jitter', 'transient-503', 'retries.jitter', { JITTER: 'none' }, false],
  [
    'unbounded retries',
    'sustained-outage',
    'retries.max_attempts',
    { RETRIES: '9', BREAKER: '0', BACKOFF_MS: '5', MAX_BACKOFF_MS: '10' },
    true,
  ],
  ['no timeout', 'hang-first-attempt', 'client.hung', { TRY_TIMEOUT_MS: '0', DEADLINE_MS: '0' }, true],
  [
    'splices a retried stream',
    'stream-reset-mid-stream',
    'client.duplicated_content',
    { DEFECTS: 'splice-stream' },
    true,
  ],
  [
    'ends a broken stream with a clean [DONE]',
    'stream-reset-mid-stream',
    'client.truncated_success',
    { DEFECTS: 'clean-done' },
    true,
  ],
  ['HTML error pages', 'sustained-outage', 'client.errors_well_formed', { DEFECTS: 'html-errors' }, true],
  [
    'streams without a content-type',
    'baseline',
    'client.stream_content_type',
    { DEFECTS: 'sse-no-content-type' },
    true,
  ],
  [
    'cumulative deltas, on streams without a content-type',
    'baseline',
    'client.duplicated_content',
    { DEFECTS: 'cumulative-deltas,sse-no-content-type' },
    true,
  ],
  [
    'answers itself once it marks its upstream down',
    'transient-503',
    'client.success_rate',
    { DEFECTS: 'answer-when-down' },
    true,
  ],
  [
    'fixed 1 s backoff, ignores Retry-After',
    'rate-limit-retry-after',
    'retries.retry_after_honored',
    fixed(1000),
    true,
  ],
  [
    'fixed 2 s backoff, ignores Retry-After',
    'rate-limit-retry-after',
    'retries.retry_after_honored',
    fixed(2000),
    true,
  ],
  ['fixed 5 s backoff, later than asked', 'rate-limit-retry-after', 'retries.retry_after_honored', fixed(5000), true],
  ['immediate retries', 'transient-503', 'retries.jitter', { BACKOFF_MS: '0' }, false],
  ['immediate retries', 'rate-limit-no-retry-after', 'retries.backoff_growth', { BACKOFF_MS: '0' }, false],
  [
    'fixed backoff that never grows',
    'rate-limit-no-retry-after',
    'retries.backoff_growth',
    { JITTER: 'none', BACKOFF_MS: '200', MAX_BACKOFF_MS: '200' },
    false,
  ],
  [
    'never closes a hung attempt',
    'hang-first-attempt',
    'client.hung',
    { TRY_TIMEOUT_MS: '0', DEADLINE_MS: '0', DEFECTS: 'keep-hung' },
    true,
  ],
  [
    'retries sent without their request body',
    'reset-before-headers',
    'retries.transient_retried',
    { DEFECTS: 'retry-no-body' },
    true,
  ],
  [
    'answers a canned 200 instead of an error',
    'transient-503',
    'client.duplicated_content',
    { RETRIES: '0', DEFECTS: 'canned-answer' },
    true,
  ],
  [
    "reads Retry-After headers only, never Google's RetryInfo",
    'gemini-429-retryinfo',
    'retries.retry_after_honored',
    { DEFECTS: 'no-retry-info' },
    true,
  ],
]

/**
 * Checks of retry timing read gaps of tens of ms: their rows run one at a time, so that brownout's own noise (several
 * runs sharing one event loop) stays below the spreads they judge. The others run a few at once.
 */
const TIMING = new Set(['retries.jitter', 'retries.backoff_growth', 'retries.retry_after_honored'])
const defectRow = async (
  _defect: string,
  scenario: string,
  check: string,
  env: Record<string, string>,
  failsRun: boolean,
) => {
  const result = await runThroughGateway(scenario, env)
  expect(verdictOf(result, check), failures(result)).toBe('fail')
  expect(result.passed).toBe(!failsRun)
}

describe.concurrent('validity matrix: each defect is caught by the check meant for it', () => {
  it.each(DEFECTS.filter((row) => !TIMING.has(row[2])))('%s (%s) → %s', defectRow, 30_000)
})

describe.sequential('validity matrix: each wrong retry timing is caught by the check meant for it', () => {
  it.each(DEFECTS.filter((row) => TIMING.has(row[2])))('%s (%s) → %s', defectRow, 30_000)
})

describe.concurrent('the evidence of a hung attempt the gateway never closes', () => {
  it('is kept: the faults fired, the attempts are journaled as open, and the hang is the gateway’s', async () => {
    const result = await runThroughGateway(
      'hang-first-attempt',
      { TRY_TIMEOUT_MS: '0', DEADLINE_MS: '0', DEFECTS: 'keep-hung' },
      // Shorter than the catalogue's, so the run takes a few seconds: 5 requests, a 1.5 s client deadline.
      { edit: (s) => ({ ...s, phases: [{ name: 'steady', duration: 1000 }], load: { ...s.load, timeout: 1500 } }) },
    )
    const check = (key: string) => result.checks.find((c) => c.key === key)
    expect(check('client.hung')).toMatchObject({ verdict: 'fail', value: 5 })
    expect(check('faults.fired'), failures(result)).toMatchObject({ verdict: 'pass', value: 5 })
    expect(check('retries.max_attempts')).toMatchObject({ verdict: 'pass', value: 1 })
    expect(check('retries.transient_retried')).toMatchObject({ verdict: 'fail', value: 0 })
    expect(result.counts).toMatchObject({ requests: 5, attempts: 5, openAttempts: 5 })
    const timeline = check('client.hung')?.examples[0]?.timeline
    expect(timeline).toEqual([expect.objectContaining({ endedBy: 'open', fault: 'hang', status: null })])
    expect(timeline?.[0]?.openMs).toBeGreaterThanOrEqual(1400)
  }, 30_000)

  it('a stalled stream it never closes is kept as open, with the 200 it had sent', async () => {
    const result = await runThroughGateway(
      'stream-stall',
      { IDLE_TIMEOUT_MS: '0', DEFECTS: 'keep-hung' },
      { edit: (s) => ({ ...s, phases: [{ name: 'steady', duration: 1000 }], load: { ...s.load, timeout: 1500 } }) },
    )
    const check = (key: string) => result.checks.find((c) => c.key === key)
    expect(check('client.hung')).toMatchObject({ verdict: 'fail', value: 5 })
    expect(check('faults.fired'), failures(result)).toMatchObject({ verdict: 'pass', value: 5 })
    expect(result.counts).toMatchObject({ attempts: 5, openAttempts: 5 })
    expect(check('client.hung')?.examples[0]?.timeline).toEqual([
      expect.objectContaining({ endedBy: 'open', fault: 'stream-stall', status: 200 }),
    ])
  }, 30_000)
})
