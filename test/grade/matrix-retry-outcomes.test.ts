import { describe, it } from 'vitest'
import { defectRow, goodRow, type Row } from './matrix.js'

/**
 * x-should-retry, 529 and slow failures (issue 16): each scenario passes on the reference gateway (its default knobs
 * plus `good`) and its defect is caught by the check meant for it. Judged on outcomes, not on gaps: a few at once.
 */
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

describe.concurrent('validity matrix, x-should-retry, 529 and slow failures', () => {
  it.each(OUTCOMES)('%s → %s passes', goodRow, 30_000)
  it.each(OUTCOMES)('%s → %s catches the defect', defectRow, 30_000)
})
