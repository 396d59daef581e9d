import type { ClientView } from '../grade/context.js'
import type { CheckResult, GradeResult } from '../grade/grade.js'
import { treeLines } from '../grade/layers.js'
import type { RunMeta } from '../record/meta.js'

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

/**
 * One attempt timeline on a line, then what the client got:
 * `primary @0ms 400 → primary @3ms 400 ⇒ client got 500 {"error":"Internal Server Error"}`; an attempt whose request
 * ended on an assistant turn says `prefill` (`fallback @43ms (after 6 ms) prefill 400 [error]`).
 */
export function formatTimeline(example: CheckResult['examples'][number]): string {
  const steps = example.timeline.map((s) => {
    const status = s.status === null ? s.endedBy : String(s.status)
    const what = s.openMs === undefined ? status : `${s.status === null ? '' : `${status} `}open ${s.openMs} ms`
    const gap = s.gapMs === null ? '' : ` (after ${s.gapMs} ms)`
    return `${s.upstream} @${s.atMs}ms${gap}${s.prefill ? ' prefill' : ''} ${what}${s.fault ? ` [${s.fault}]` : ''}`
  })
  const upstream = steps.length > 0 ? steps.join(' → ') : 'never reached an upstream'
  return `${example.id}: ${upstream}${example.client ? ` ⇒ ${formatClientView(example.client)}` : ''}`
}

/** What the client got, on one line: `client got 500 {"error":…}`, `client got 200 (broken-stream) in-band error: x`. */
export function formatClientView(view: ClientView): string {
  // An abandoned request's "body" says when the client gave up: `client gave up 200 ms after sending (load.cancel)`.
  if (view.outcome === 'abandoned' && view.body !== null) return `client ${view.body}`
  const status = view.status === null ? view.outcome : String(view.status)
  const outcome =
    view.status !== null && view.outcome !== 'ok' && view.outcome !== 'http-error' ? ` (${view.outcome})` : ''
  const body = view.body === null ? '' : ` ${view.body.replace(/\s+/g, ' ').trim().slice(0, 120)}`
  return `client got ${status}${outcome}${body}`
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  )
}

/** A run's request counts on one line: `20 requests (ok 1, broken-stream 19), 22 upstream attempts`. */
export function formatCounts(counts: RunMeta['counts']): string {
  const outcomes = Object.entries(counts.byOutcome)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')
  const open = counts.openAttempts ? ` (${counts.openAttempts} still open at the end)` : ''
  return `${counts.requests} requests (${outcomes}), ${counts.attempts} upstream attempts${open}`
}

/** `39 of 40 requests never reached an upstream (answered by the gateway itself)`, or '' when all did. */
export function formatUnreached(counts: RunMeta['counts']): string {
  const unreached = counts.neverReachedUpstream ?? 0
  if (unreached === 0) return ''
  const sent = counts.requests - counts.notSent
  return `${unreached} of ${sent} requests never reached an upstream (answered by the gateway itself, or lost before it)`
}

/** A SUT that did not start or died during the run, for reports: what happened, then its last output (indented). */
export function sutFailureLines(result: Pick<GradeResult, 'sut'>, lastLines = 8): string[] {
  const f = result.sut.failure
  if (!f) return []
  const what = f.when === 'start' ? `the SUT did not start: it ${f.reason}` : `the SUT ${f.reason} during the run`
  const output = f.lastOutput.filter((l) => l.trim() !== '').slice(-lastLines)
  return [what, ...(output.length > 0 ? ['its last output:', ...output.map((l) => `  ${l}`)] : [])]
}

/** The short form for a scorecard cell: `SUT crashed (exited with code 1)`. */
export function sutFailureShort(result: Pick<GradeResult, 'sut'>): string | null {
  const f = result.sut.failure
  if (!f) return null
  return f.when === 'start' ? `SUT did not start (${f.reason})` : `SUT crashed (${f.reason})`
}

/**
 * A run with a client layer: how its upstream attempts split by layer, then the attempt trees of up to `trees` of
 * the requests that made the most (client request → SDK attempts → gateway attempts). [] for other runs.
 */
export function layerLines(result: Pick<GradeResult, 'layers'>, trees = 3): string[] {
  const l = result.layers
  if (!l) return []
  const r = (n: number) => String(Math.round(n * 100) / 100)
  const how =
    l.attribution === 'header'
      ? 'SDK attempts told apart by x-stainless-retry-count'
      : 'no x-stainless-retry-count reached the upstreams: the SDK layer cannot be told apart'
  return [
    `attempt trees (${how}): per request SDK ${r(l.sdkPerRequest)} × gateway ${r(l.gatewayPerSdk)} = ${r(l.upstreamPerRequest)} upstream attempts (${l.requests} requests)`,
    ...l.worst.slice(0, trees).flatMap((t) => treeLines(t).map((line) => `  ${line}`)),
  ]
}
