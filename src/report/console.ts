import type { GradeResult } from '../grade/grade.js'
import {
  formatTimeline,
  formatUnreached,
  formatValue,
  harnessLine,
  layerLines,
  runVerdict,
  sutFailureLines,
  verdictLabel,
} from './format.js'

const MARK = { pass: '✓', fail: '✗', 'no-evidence': '·' } as const

function pad(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : text + ' '.repeat(width - text.length)
}

/** The console table of one graded scenario, with an example timeline under each failing check. */
export function renderConsole(result: GradeResult): string {
  const sut = result.sut.name ?? result.sut.mode
  const verdict = runVerdict(result)
  const mark = verdict === 'PASS' ? '✓' : verdict === 'FAIL' ? '✗' : '⚠'
  const lines = [`${mark} ${verdict}  ${result.scenario.name} — ${sut}${result.complete ? '' : '  (run incomplete)'}`]
  if (result.harnessLimited) lines.push(`  ${result.harnessLimited}`)
  for (const l of sutFailureLines(result)) lines.push(`  ${l}`)
  const unreached = formatUnreached(result.counts)
  if (unreached) lines.push(`  ${unreached}`)
  const harness = harnessLine(result)
  if (harness) lines.push(`  ${harness}`)
  lines.push(`  ${pad('check', 34)} ${pad('verdict', 16)} ${pad('value', 10)} ${pad('threshold', 14)} evidence`)
  for (const c of result.checks) {
    lines.push(
      `  ${MARK[c.verdict]} ${pad(c.key, 32)} ${pad(verdictLabel(c), 16)} ${pad(formatValue(c.value, c.unit), 10)} ${pad(c.threshold, 14)} ${c.evidence}`,
    )
    if (c.verdict === 'fail' && c.examples[0]) lines.push(`      e.g. ${formatTimeline(c.examples[0])}`)
  }
  for (const l of layerLines(result, 1)) lines.push(`  ${l}`)
  return lines.join('\n')
}

/** One line for the end of a run: how many scenarios passed. */
export function renderSummaryLine(results: GradeResult[]): string {
  const passed = results.filter((r) => r.passed).length
  const limited = results.filter((r) => r.harnessLimited !== null).length
  const failing = results.reduce((n, r) => n + (r.harnessLimited === null ? r.summary.failing : 0), 0)
  return `${passed}/${results.length} scenarios passed${failing > 0 ? `, ${failing} required checks failing` : ''}${limited > 0 ? `, ${limited} harness-limited (brownout could not keep up: no verdict)` : ''}`
}
