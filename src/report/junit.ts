import type { GradeResult } from '../grade/grade.js'
import { formatTimeline, formatValue, escapeXml as x } from './format.js'

/** JUnit XML: a testsuite per scenario, a testcase per check (advisory failures are not failures). */
export function renderJunit(results: GradeResult[]): string {
  const suites = results.map((r) => {
    const cases = r.checks.map((c) => {
      const name = `${c.key} ${c.threshold}`
      const detail = `${c.evidence}; value ${formatValue(c.value, c.unit)}\n${c.examples.map(formatTimeline).join('\n')}`
      let body = ''
      if (c.failsRun && c.verdict === 'fail')
        body = `<failure message="${x(`${c.key}: ${formatValue(c.value, c.unit)} does not meet ${c.threshold}`)}">${x(detail)}</failure>`
      else if (c.failsRun) body = `<failure message="${x(`${c.key}: no evidence`)}">${x(c.evidence)}</failure>`
      else if (c.verdict === 'no-evidence') body = `<skipped message="${x(`no evidence: ${c.evidence}`)}"/>`
      else if (c.verdict === 'fail') body = `<system-out>${x(`advisory failure: ${detail}`)}</system-out>`
      return `    <testcase classname="brownout.${x(r.scenario.name)}" name="${x(name)}">${body}</testcase>`
    })
    if (!r.complete)
      cases.push(
        `    <testcase classname="brownout.${x(r.scenario.name)}" name="run completed"><failure message="the run did not complete"/></testcase>`,
      )
    const failures = r.checks.filter((c) => c.failsRun).length + (r.complete ? 0 : 1)
    const skipped = r.checks.filter((c) => c.verdict === 'no-evidence' && !c.failsRun).length
    return `  <testsuite name="${x(r.scenario.name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`
  })
  const tests = results.reduce((n, r) => n + r.checks.length + (r.complete ? 0 : 1), 0)
  const failures = results.reduce((n, r) => n + r.summary.failing + (r.complete ? 0 : 1), 0)
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="brownout" tests="${tests}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`
}
