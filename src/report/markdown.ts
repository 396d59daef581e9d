import type { GradeResult } from '../grade/grade.js'
import {
  formatCounts,
  formatTimeline,
  formatUnreached,
  formatValue,
  harnessLine,
  layerLines,
  runVerdict,
  sutFailureLines,
  verdictLabel,
} from './format.js'

const ICON = { pass: '✅', fail: '❌', 'no-evidence': '⚪' } as const

/** A Markdown summary that fits a CI step summary: verdict, checks, and what failed on which requests. */
export function renderMarkdown(results: GradeResult[]): string {
  const out: string[] = []
  const passed = results.filter((r) => r.passed).length
  out.push(`## brownout: ${passed}/${results.length} scenarios passed`, '')
  for (const r of results) {
    const verdict = runVerdict(r)
    out.push(
      `### ${verdict === 'PASS' ? '✅' : verdict === 'FAIL' ? '❌' : '⚠️ HARNESS-LIMITED'} ${r.scenario.name} — ${r.sut.name ?? r.sut.mode}${r.complete ? '' : ' (incomplete)'}`,
      '',
    )
    if (r.harnessLimited) out.push(`> **${r.harnessLimited}**`, '')
    const harness = harnessLine(r)
    if (harness) out.push(`<sub>${harness}</sub>`, '')
    if (r.scenario.description) out.push(`> ${r.scenario.description.trim().replace(/\n/g, ' ')}`, '')
    const unreached = formatUnreached(r.counts)
    out.push(`${formatCounts(r.counts)}.${unreached ? ` **${unreached}.**` : ''}`, '')
    const failure = sutFailureLines(r)
    if (failure.length > 0) out.push(`**${failure[0]}**`, '', '```', ...failure.slice(2), '```', '')
    out.push('| | check | verdict | value | threshold | evidence |', '|---|---|---|---|---|---|')
    for (const c of r.checks) {
      out.push(
        `| ${ICON[c.verdict]} | \`${c.key}\` | ${verdictLabel(c)} | ${formatValue(c.value, c.unit)} | \`${c.threshold}\` | ${c.evidence.replace(/\|/g, '\\|')} |`,
      )
    }
    const failing = r.checks.filter((c) => c.verdict === 'fail' && c.examples.length > 0)
    if (failing.length > 0) {
      out.push('', '<details><summary>Example requests</summary>', '')
      for (const c of failing) {
        out.push(`**${c.key}**`, '')
        for (const e of c.examples) out.push(`- \`${formatTimeline(e)}\``)
        out.push('')
      }
      out.push('</details>')
    }
    const layers = layerLines(r)
    if (layers.length > 0) out.push('', `**${layers[0]}**`, '', '```', ...layers.slice(1), '```')
    out.push('')
  }
  return out.join('\n')
}
