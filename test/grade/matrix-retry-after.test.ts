import { describe, it } from 'vitest'
import { defectRow, goodRow, type Row } from './matrix.js'

/**
 * Retry-After in its every form (issue 16): each scenario passes on the reference gateway (its default knobs plus
 * `good`) and its defect is caught by the check meant for it. x-should-retry, 529 and slow failures are in
 * matrix-retry-outcomes.test.ts (a file of their own, so the two run side by side).
 */

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

describe.sequential('validity matrix, Retry-After forms: the right timing passes, the wrong one is caught', () => {
  it.each(TIMING)('%s → %s passes', goodRow, 30_000)
  it.each(TIMING)('%s → %s catches the defect', defectRow, 30_000)
})
