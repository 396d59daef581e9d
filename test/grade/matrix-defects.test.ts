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
]

describe('validity matrix: each defect is caught by the check meant for it', () => {
  it.each(DEFECTS)(
    '%s (%s) → %s',
    async (_defect, scenario, check, env, failsRun) => {
      const result = await runThroughGateway(scenario, env)
      expect(verdictOf(result, check), failures(result)).toBe('fail')
      expect(result.passed).toBe(!failsRun)
    },
    30_000,
  )
})
