import type { ChangeKind, CheckChange, DiffResult } from './diff.js'
import type { DiffCheck } from './diff-input.js'
import { MOVE_RULES, POISSON_RULE, Z_BEYOND_NOISE } from './diff-noise.js'
import { formatValue } from './format.js'

const SECTIONS: Array<{ kind: ChangeKind; title: string; note?: string }> = [
  { kind: 'regressed', title: 'Regressed: pass → fail' },
  { kind: 'fixed', title: 'Fixed: fail → pass' },
  {
    kind: 'flipped-within-noise',
    title: 'Verdict flipped, value within noise (not called a regression or a fix)',
    note: 'Each side judged on its own threshold, but A and B differ by no more than runs of one SUT do: the value sits near the threshold in both.',
  },
  {
    kind: 'moved',
    title: 'Values that moved beyond noise (same verdict)',
    note: 'Beyond the band of the rule that judged each row. Timing-driven values (latencies, overload, jitter) vary more between runs on a busy machine: run again before reading one of these as a change of the SUT.',
  },
  { kind: 'evidence', title: 'Evidence gained or lost (no evidence on one side)' },
  { kind: 'advisory', title: 'Advisory checks that flipped (never fail a run)' },
  { kind: 'appeared', title: 'Checks only in B' },
  { kind: 'disappeared', title: 'Checks only in A' },
]

const cell = (s: string) => s.replace(/\|/g, '\\|')

function verdictText(c: DiffCheck | null): string {
  if (!c) return '—'
  const v = c.verdict === 'no-evidence' ? 'no evidence' : c.verdict
  return c.value === null ? v : `${v} ${formatValue(c.value, c.unit)}`
}

function moveText(c: CheckChange): string {
  if (!c.move) return ''
  const arrow = c.move.direction === 'neutral' ? '' : ` (${c.move.direction})`
  return `${c.move.beyondNoise ? 'beyond noise' : 'within noise'}${arrow}: ${c.move.detail}`
}

function thresholdText(c: CheckChange): string {
  const [ta, tb] = [c.a?.threshold, c.b?.threshold]
  return ta && tb && ta !== tb ? `${ta} → ${tb}` : (tb ?? ta ?? '')
}

function table(d: DiffResult, rows: CheckChange[]): string[] {
  const withSut = d.kind === 'scorecard'
  const head = [...(withSut ? ['SUT'] : []), 'scenario', 'check', 'threshold', 'A', 'B', 'move', 'judged by']
  const out = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`]
  for (const c of rows) {
    const flag = c.harnessLimited ? ' ⚠' : ''
    const values = [
      ...(withSut ? [c.sut ?? ''] : []),
      `\`${c.scenario}\`${flag}`,
      `\`${c.key}\``,
      thresholdText(c),
      verdictText(c.a),
      verdictText(c.b),
      moveText(c),
      c.move?.rule ?? '',
    ]
    out.push(`| ${values.map(cell).join(' | ')} |`)
  }
  return out
}

function headline(d: DiffResult): string {
  const s = d.summary
  const parts = [
    `${s.regressed + s.runsRegressed} regressed`,
    `${s.fixed + s.runsFixed} fixed`,
    `${s['flipped-within-noise']} flipped within noise`,
    `${s.moved} values moved`,
    `${s.appeared} appeared`,
    `${s.disappeared} disappeared`,
  ]
  return `**${parts.join(' · ')}**`
}

function noiseRules(): string[] {
  return [
    '### How a move is judged',
    '',
    `- a rate or count with its sample ("x of n" in the evidence): two-proportion z-test, beyond noise when |z| ≥ ${Z_BEYOND_NOISE}`,
    `- ${POISSON_RULE}`,
    ...Object.values(MOVE_RULES).map((r) => `- ${r.what}`),
    '- a verdict flip on a threshold that allows no single bad case (`== 0`, `<= 0`, `>= 1` on a rate) is never put down to noise',
    '- better/worse: toward the passing side of B’s threshold',
  ]
}

/** The diff as markdown: a headline, one table per kind of change, and the rules that judged the moves. */
export function renderDiffMarkdown(d: DiffResult): string {
  const out = ['## brownout diff', '', `A: \`${d.a.dir}\` → B: \`${d.b.dir}\` (${d.kind}s)`, '']
  if (d.pairedSuts) out.push(`SUT \`${d.pairedSuts.a}\` in A is compared with \`${d.pairedSuts.b}\` in B.`, '')
  out.push(headline(d), '')
  if (d.runs.length === 0 && d.checks.length === 0)
    out.push('No check changed its verdict or its evidence, and no value moved beyond noise.', '')
  if (d.runs.length > 0) {
    const sutHead = d.kind === 'scorecard' ? 'SUT | ' : ''
    out.push('### Runs', '', `| ${sutHead}scenario | A | B | |`, `|${sutHead ? '---|' : ''}---|---|---|---|`)
    for (const r of d.runs) {
      const sut = d.kind === 'scorecard' ? `${cell(r.sut ?? '')} | ` : ''
      const verdict = r.kind === 'regressed' ? '✗ regressed' : '✓ fixed'
      out.push(`| ${sut}\`${r.scenario}\` | ${cell(r.a)} | ${cell(r.b)} | ${verdict} |`)
    }
    out.push('')
  }
  for (const section of SECTIONS) {
    const rows = d.checks.filter((c) => c.kind === section.kind)
    if (rows.length === 0) continue
    out.push(`### ${section.title}`, '', ...(section.note ? [section.note, ''] : []), ...table(d, rows), '')
  }
  const where = (c: { sut: string | null; scenario: string }) => (c.sut ? `${c.sut} · ${c.scenario}` : c.scenario)
  if (d.onlyInA.length > 0) out.push(`Only in A: ${d.onlyInA.map(where).join(', ')}`, '')
  if (d.onlyInB.length > 0) out.push(`Only in B: ${d.onlyInB.map(where).join(', ')}`, '')
  if (d.checks.some((c) => c.harnessLimited))
    out.push('⚠ harness-limited run: brownout’s own lag may explain the change (such regressions exit 4, not 1)', '')
  out.push(...noiseRules(), '')
  return out.join('\n')
}
