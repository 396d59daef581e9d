import type { CheckResult } from '../grade/grade.js'

/** A check's value in its unit, for humans. */
export function formatValue(value: number | null, unit: string): string {
  if (value === null) return '—'
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞'
  switch (unit) {
    case 'ratio':
      return value.toFixed(3)
    case 'ms':
      return `${value.toFixed(0)} ms`
    case 's':
      return `${value.toFixed(1)} s`
    case 'x':
      return `${value.toFixed(2)}×`
    case 'per-s':
      return `${value.toFixed(1)}/s`
    default:
      return Number.isInteger(value) ? String(value) : value.toFixed(2)
  }
}

export function verdictLabel(c: CheckResult): string {
  if (c.verdict === 'pass') return 'pass'
  if (c.verdict === 'no-evidence') return c.failsRun ? 'NO EVIDENCE' : 'no evidence'
  return c.required ? 'FAIL' : 'fail (advisory)'
}

/** One attempt timeline on a line: `primary +0ms 503 error → primary +412ms 200`. */
export function formatTimeline(example: CheckResult['examples'][number]): string {
  const steps = example.timeline.map((s) => {
    const status = s.status === null ? s.endedBy : String(s.status)
    const what = s.openMs === undefined ? status : `${s.status === null ? '' : `${status} `}open ${s.openMs} ms`
    const gap = s.gapMs === null ? '' : ` (after ${s.gapMs} ms)`
    return `${s.upstream} @${s.atMs}ms${gap} ${what}${s.fault ? ` [${s.fault}]` : ''}`
  })
  return `${example.id}: ${steps.length > 0 ? steps.join(' → ') : 'never reached an upstream'}`
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  )
}
