import { describe, expect, it } from 'vitest'
import type { CheckResult, GradeResult } from '../../src/grade/grade.js'
import { buildScorecard, renderScorecardMarkdown, tally } from '../../src/report/scorecard.js'

function check(key: string, verdict: CheckResult['verdict']): CheckResult {
  return { key, verdict, failsRun: verdict !== 'pass', required: true } as CheckResult
}

function cell(name: string, checks: CheckResult[], extra: Partial<GradeResult> = {}): GradeResult {
  const failing = checks.some((c) => c.failsRun)
  return {
    scenario: { name, description: '' },
    sut: { mode: 'sut', url: '' },
    complete: true,
    passed: !failing,
    harnessLimited: null,
    checks,
    ...extra,
  } as GradeResult
}

describe('the scorecard', () => {
  it('counts a scenario whose only problem is a check without evidence as unproved, not failed', () => {
    // Portkey's sustained-outage: every request succeeded, so no error shape was ever seen.
    const card = buildScorecard(
      ['portkey'],
      [
        [
          cell('baseline', [check('client.success_rate', 'pass')]),
          cell('transient-503', [check('retries.transient_retried', 'fail')]),
          cell('sustained-outage', [check('client.errors_well_formed', 'no-evidence')]),
          cell('overload-2x', [check('client.success_rate', 'pass')], { passed: false, harnessLimited: 'lagged' }),
        ],
      ],
    )
    expect(tally(card, 0)).toBe('1 pass · 1 fail · 1 unproved · 1 harness-limited')
    const md = renderScorecardMarkdown(card)
    expect(md).toContain('| `sustained-outage` | ⚪ no evidence: client.errors_well_formed |')
    expect(md).toContain('| scenarios | 1 pass · 1 fail · 1 unproved · 1 harness-limited |')
  })
})
