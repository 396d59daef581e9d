import type { CheckResult, GradeResult } from '../grade/grade.js'

/** A run's verdict as a word: PASS, FAIL, or HARNESS-LIMITED (brownout could not keep up; no verdict on the SUT). */
export function runVerdict(result: GradeResult): 'PASS' | 'FAIL' | 'HARNESS-LIMITED' {
  if (result.harnessLimited !== null) return 'HARNESS-LIMITED'
  return result.passed ? 'PASS' : 'FAIL'
}

/** brownout's own lag during the run on one line, or null for a run saved without it. */
export function harnessLine(result: GradeResult): string | null {
  const h = result.harness
  if (!h) return null
  const ms = (v: number) => `${Math.round(v)} ms`
  const parts = [
    `event loop p99 ${ms(h.eventLoop.p99Ms)} (max ${ms(h.eventLoop.maxMs)})`,
    `send lag p99 ${ms(h.sendLag.p99Ms)} (max ${ms(h.sendLag.maxMs)})`,
  ]
  if (h.upstreamTimingError.count > 0) parts.push(`upstream timing error p99 ${ms(h.upstreamTimingError.p99Ms)}`)
  const p = h.clientProcesses
  if (p)
    parts.push(
      `client processes ≤ ${p.cap} (peak ${p.peak}): start lag p99 ${ms(p.startLag.p99Ms)}, start → first attempt p99 ${ms(p.firstAttemptLag.p99Ms)}`,
    )
  if (h.warmup) parts.push(`warm-up ${h.warmup.requests} requests in ${ms(h.warmup.durationMs)}`)
  return `harness (bound ${ms(h.boundMs)}): ${parts.join(', ')}`
}

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
    const what = s.status === null ? s.endedBy : String(s.status)
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
