import { describe, expect, it } from 'vitest'
import { failures, runThroughGateway, verdictOf } from './matrix.js'

/**
 * Retry-After in its every form, x-should-retry, 529 and slow failures (issue 16): each scenario passes on the
 * reference gateway (its default knobs plus `good`) and its defect is caught by the check meant for it.
 * Columns: scenario, the check that judges it, the good gateway's knobs, the defect's knobs.
 */
type Row = [scenario: string, check: string, good: Record<string, string>, defect: Record<string, string>]

const INT_PARSE = { RETRY_AFTER_PARSE: 'int' }
const RESET = { RESET_HEADERS: '1' }

/** Rows whose check reads retry gaps of tens of ms: run one at a time, so that brownout's own noise stays low. */
const TIMING: Row[] = [
  ['retry-after-http-date', 'retries.retry_after_honored', {}, INT_PARSE],
  ['retry-after-fractional', 'retries.retry_after_honored', {}, INT_PARSE],
  ['retry-after-ms-only', 'retries.retry_after_honored', {}, { RETRY_AFTER: 'seconds' }],
  [
    'retry-after-zero',
    'retries.retry_after_honored',
    {},
    { RETRY_AFTER: '0', JITTER: 'none', BACKOFF_MS: '1000', MAX_BACKOFF_MS: '1000' },
  ],
  ['retry-after-garbage', 'retries.own_backoff', {}, INT_PARSE],
  ['retry-after-negative', 'retries.own_backoff', {}, INT_PARSE],
  ['rate-limit-reset-headers-only', 'retries.retry_after_honored', RESET, {}],
  ['anthropic-ratelimit-reset-only', 'retries.retry_after_honored', RESET, {}],
]

/** Rows judged on outcomes, not on gaps: a few at once. */
const OUTCOMES: Row[] = [
  ['retry-after-over-60s-failover', 'client.hung', {}, { DEADLINE_MS: '0', MAX_RETRY_AFTER_MS: '600000' }],
  ['should-retry-false-503', 'retries.fatal_retried', {}, { SHOULD_RETRY: '0' }],
  [
    'should-retry-true-409',
    'retries.transient_retried',
    { RETRY_ON: '408,429,500,502,503,504,529' },
    { SHOULD_RETRY: '0', RETRY_ON: '408,429,500,502,503,504,529' },
  ],
  ['anthropic-529-fallback', 'client.success_rate', {}, { RETRY_ON: '408,409,429,500,502,503,504' }],
  ['anthropic-stream-overloaded-fallback', 'client.success_rate', { STREAM_PEEK: '1' }, { STREAM_PEEK: '0' }],
  // Five tries of 1.9 s each: the deadline (8 s) answers the client in time; without one it gives up at 9 s.
  ['slow-503-deadline', 'client.hung', { RETRIES: '4' }, { RETRIES: '4', DEADLINE_MS: '0', TRY_TIMEOUT_MS: '0' }],
]

const goodRow = async (scenario: string, check: string, good: Record<string, string>) => {
  const result = await runThroughGateway(scenario, good)
  expect(result.passed, failures(result)).toBe(true)
  expect(verdictOf(result, check)).toBe('pass')
}

const defectRow = async (
  scenario: string,
  check: string,
  _good: Record<string, string>,
  defect: Record<string, string>,
) => {
  const result = await runThroughGateway(scenario, defect)
  expect(verdictOf(result, check), failures(result)).toBe('fail')
  expect(result.passed).toBe(false)
}

describe.sequential('validity matrix, Retry-After forms: the right timing passes, the wrong one is caught', () => {
  it.each(TIMING)('%s → %s passes', goodRow, 30_000)
  it.each(TIMING)('%s → %s catches the defect', defectRow, 30_000)
})

describe.concurrent('validity matrix, x-should-retry, 529 and slow failures', () => {
  it.each(OUTCOMES)('%s → %s passes', goodRow, 30_000)
  it.each(OUTCOMES)('%s → %s catches the defect', defectRow, 30_000)
})
