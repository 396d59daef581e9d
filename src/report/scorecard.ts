import type { GradeResult } from '../grade/grade.js'
import { sutFailureLines, sutFailureShort, escapeXml as x } from './format.js'

export interface Scorecard {
  suts: string[]
  rows: Array<{ scenario: string; description: string; cells: GradeResult[] }>
}

/** Scenario × SUT: each cell a graded run. */
export function buildScorecard(suts: string[], results: GradeResult[][]): Scorecard {
  const rows = (results[0] ?? []).map((first, i) => ({
    scenario: first.scenario.name,
    description: first.scenario.description,
    cells: results.map((column) => column[i] ?? first),
  }))
  return { suts, rows }
}

/** The resilience score of one SUT: the share of scenarios it passed, in percent. */
export function score(card: Scorecard, column: number): number {
  const passed = card.rows.filter((r) => r.cells[column]?.passed).length
  return card.rows.length === 0 ? 0 : Math.round((passed / card.rows.length) * 100)
}

/**
 * How one SUT's scenarios ended: passed; failed (a required check failed, or the run did not complete); unproved
 * (nothing failed, but a check the scenario asked for found no evidence); harness-limited (no verdict).
 */
export function tally(card: Scorecard, column: number): string {
  const counts = { pass: 0, fail: 0, unproved: 0, 'harness-limited': 0 }
  for (const row of card.rows) {
    const cell = row.cells[column]
    if (!cell) continue
    if (cell.passed) counts.pass++
    else if (cell.harnessLimited !== null && cell.complete) counts['harness-limited']++
    else if (!cell.complete || sutFailureShort(cell) || failing(cell).length > 0) counts.fail++
    else counts.unproved++
  }
  return Object.entries(counts)
    .filter(([k, n]) => n > 0 || k === 'pass' || k === 'fail')
    .map(([k, n]) => `${n} ${k}`)
    .join(' · ')
}

/** Required checks that failed: the only ones a cell lists as failures. */
export function failing(cell: GradeResult): string[] {
  return cell.checks.filter((c) => c.failsRun && c.verdict === 'fail').map((c) => c.key)
}

/** Checks the scenario asked for that found no evidence: they fail the scenario, but are not failures of the SUT. */
export function unproved(cell: GradeResult): string[] {
  return cell.checks.filter((c) => c.failsRun && c.verdict === 'no-evidence').map((c) => c.key)
}

/** A cell's verdict: what failed first, then what went unproved (marked ⚪, never among the failures). */
function cellParts(cell: GradeResult): { failed: string; unproved: string } {
  const crash = sutFailureShort(cell)
  const fails = failing(cell)
  const failed = crash
    ? `✗ ${[crash, ...fails].join(', ')}`
    : !cell.complete
      ? '✗ incomplete'
      : cell.harnessLimited !== null
        ? '⚠ harness-limited'
        : cell.passed
          ? '✓ pass'
          : fails.length > 0
            ? `✗ ${fails.join(', ')}`
            : ''
  const none = unproved(cell)
  return { failed, unproved: none.length > 0 ? `⚪ no evidence: ${none.join(', ')}` : '' }
}

function cellText(cell: GradeResult | undefined): string {
  if (!cell) return '—'
  const { failed, unproved } = cellParts(cell)
  return [failed, unproved].filter(Boolean).join('  ')
}

/** Every SUT that did not start or crashed, with its last output: the evidence a scorecard cell cannot hold. */
function failureNotes(card: Scorecard): Array<{ scenario: string; sut: string; lines: string[] }> {
  return card.rows.flatMap((row) =>
    row.cells.flatMap((cell, i) => {
      const lines = sutFailureLines(cell)
      return lines.length > 0 ? [{ scenario: row.scenario, sut: card.suts[i] ?? '', lines }] : []
    }),
  )
}

export function renderScorecardConsole(card: Scorecard): string {
  const scoreText = (i: number) =>
    `${score(card, i)}%  (${card.rows.filter((r) => r.cells[i]?.passed).length}/${card.rows.length} scenarios)`
  const first = Math.max('resilience score'.length, ...card.rows.map((r) => r.scenario.length)) + 2
  const widths = card.suts.map(
    (sut, i) =>
      Math.min(72, Math.max(sut.length, scoreText(i).length, ...card.rows.map((r) => cellText(r.cells[i]).length))) + 2,
  )
  const pad = (s: string, w: number) => (s.length > w - 1 ? `${s.slice(0, w - 2)}… ` : s + ' '.repeat(w - s.length))
  const line = (head: string, cells: string[]) =>
    `${pad(head, first)}${cells.map((c, i) => pad(c, widths[i] ?? 20)).join('')}`.trimEnd()
  return [
    line('scenario', card.suts),
    ...card.rows.map((row) => line(row.scenario, row.cells.map(cellText))),
    line(
      'resilience score',
      card.suts.map((_, i) => scoreText(i)),
    ),
    line(
      'scenarios',
      card.suts.map((_, i) => tally(card, i)),
    ),
  ].join('\n')
}

export function renderScorecardMarkdown(card: Scorecard): string {
  const out = [
    '## brownout resilience scorecard',
    '',
    `| scenario | ${card.suts.join(' | ')} |`,
    `|---|${card.suts.map(() => '---').join('|')}|`,
  ]
  for (const row of card.rows)
    out.push(`| \`${row.scenario}\` | ${row.cells.map((c) => cellText(c).replace(/\|/g, '\\|')).join(' | ')} |`)
  out.push(`| **resilience score** | ${card.suts.map((_, i) => `**${score(card, i)}%**`).join(' | ')} |`)
  out.push(`| scenarios | ${card.suts.map((_, i) => tally(card, i)).join(' | ')} |`, '')
  out.push('✗ failed checks · ⚪ checks the scenario asked for that found no evidence (not tested, not failed)', '')
  const notes = failureNotes(card)
  if (notes.length > 0) {
    out.push('### SUT failures', '')
    for (const n of notes)
      out.push(`**${n.scenario}** — ${n.sut}: ${n.lines[0]}`, '', '```', ...n.lines.slice(2), '```', '')
  }
  return out.join('\n')
}

export function renderScorecardHtml(card: Scorecard): string {
  const head = card.suts
    .map(
      (s, i) =>
        `<th>${x(s)}<br><span class="score">${score(card, i)}%</span><br><small>${x(tally(card, i))}</small></th>`,
    )
    .join('')
  const rows = card.rows
    .map(
      (r) =>
        `<tr><td><code>${x(r.scenario)}</code><br><small>${x(r.description)}</small></td>${r.cells
          .map((c) => {
            const { failed, unproved } = cellParts(c)
            const cls = c.passed ? 'pass' : failed ? 'fail' : 'no-evidence'
            const none = unproved ? `<div class="no-evidence">${x(unproved)}</div>` : ''
            return `<td class="${cls}">${failed ? `<div>${x(failed)}</div>` : ''}${none}</td>`
          })
          .join('')}</tr>`,
    )
    .join('\n')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>brownout scorecard</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#111827}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e7eb;padding:6px;text-align:left;vertical-align:top}
.pass{color:#16a34a}.fail{color:#dc2626}.no-evidence{color:#6b7280}pre{background:#f9fafb;padding:8px;font-size:12px;white-space:pre-wrap}.score{font-size:22px;font-weight:700}small{color:#6b7280}
</style></head><body><h1>brownout resilience scorecard</h1>
<table><thead><tr><th>scenario</th>${head}</tr></thead><tbody>
${rows}
</tbody></table>
<p><small>✗ failed checks · ⚪ checks the scenario asked for that found no evidence (not tested, not failed)</small></p>
${failureNotes(card)
  .map(
    (n) =>
      `<h3>${x(n.scenario)} — ${x(n.sut)}: ${x(n.lines[0] ?? '')}</h3><pre class="sut-failure">${x(n.lines.slice(2).join('\n'))}</pre>`,
  )
  .join('\n')}
</body></html>
`
}
