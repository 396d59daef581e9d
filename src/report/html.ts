import { indexAttempts } from '../grade/context.js'
import type { GradeResult } from '../grade/grade.js'
import { percentile } from '../grade/threshold.js'
import type { RunData } from '../record/run-data.js'
import { histogram, lineChart, stackedBars } from './charts.js'
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
  escapeXml as x,
} from './format.js'

const CLASSES: Array<{ name: string; color: string; match: (r: RunData['records'][number]) => boolean }> = [
  { name: '2xx', color: '#16a34a', match: (r) => r.outcome === 'ok' },
  { name: 'broken stream', color: '#0891b2', match: (r) => r.outcome === 'broken-stream' },
  { name: '4xx', color: '#f59e0b', match: (r) => r.outcome === 'http-error' && (r.status ?? 0) < 500 },
  { name: '5xx', color: '#dc2626', match: (r) => r.outcome === 'http-error' && (r.status ?? 0) >= 500 },
  { name: 'network', color: '#7c3aed', match: (r) => r.outcome === 'network-error' },
  { name: 'timeout', color: '#111827', match: (r) => r.outcome === 'timeout' },
  { name: 'not sent', color: '#9ca3af', match: (r) => r.outcome === 'not-sent' },
  { name: 'abandoned', color: '#d1d5db', match: (r) => r.outcome === 'abandoned' },
]

function buckets(totalMs: number): { size: number; count: number } {
  const size = Math.max(100, Math.ceil(totalMs / 60 / 100) * 100)
  return { size, count: Math.max(1, Math.ceil(totalMs / size)) }
}

/** The charts of one run: throughput by status, latency percentiles and attempts vs requests over time; histograms. */
export function runCharts(data: RunData): string {
  // A loop, not Math.max(...records): spreading a long run's records overflows the call stack.
  let total = data.meta.durationMs
  for (const r of data.records) total = Math.max(total, r.intendedAt + 1)
  const { size, count } = buckets(total)
  const bucketOf = (ms: number) => Math.min(count - 1, Math.max(0, Math.floor(ms / size)))
  const perSecond = 1000 / size
  const throughput = CLASSES.map((c) => {
    const values = new Array<number>(count).fill(0)
    for (const r of data.records)
      if (c.match(r)) values[bucketOf(r.intendedAt)] = (values[bucketOf(r.intendedAt)] ?? 0) + 1
    return { name: c.name, color: c.color, values: values.map((v) => v * perSecond) }
  }).filter((s) => s.values.some((v) => v > 0))
  const latencies = Array.from({ length: count }, () => [] as number[])
  for (const r of data.records) if (r.outcome !== 'not-sent') latencies[bucketOf(r.intendedAt)]?.push(r.latencyMs)
  const pct = (q: number) => latencies.map((l) => (l.length > 0 ? percentile(l, q) : Number.NaN))
  const requests = new Array<number>(count).fill(0)
  for (const r of data.records)
    if (r.outcome !== 'not-sent') requests[bucketOf(r.intendedAt)] = (requests[bucketOf(r.intendedAt)] ?? 0) + perSecond
  const attempts = new Array<number>(count).fill(0)
  for (const e of data.journal) {
    const b = bucketOf(e.receivedAt - data.meta.loadStartedAt)
    attempts[b] = (attempts[b] ?? 0) + perSecond
  }
  const index = indexAttempts(data.journal)
  const perRequest = new Map<number, number>()
  const gaps: number[] = []
  for (const r of data.records) {
    if (r.outcome === 'not-sent') continue
    const list = index.get(r.id) ?? []
    perRequest.set(list.length, (perRequest.get(list.length) ?? 0) + 1)
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]
      const cur = list[i]
      if (prev && cur && prev.endedBy !== 'open') gaps.push(cur.receivedAt - (prev.receivedAt + prev.durationMs))
    }
  }
  const maxAttempts = Math.max(1, ...perRequest.keys())
  const attemptBins = Array.from({ length: maxAttempts + 1 }, (_, n) => ({
    label: String(n),
    count: perRequest.get(n) ?? 0,
  }))
  const gapEdges = [0, 50, 100, 250, 500, 1000, 2000, 5000, 10_000, Number.POSITIVE_INFINITY]
  const gapBins = gapEdges.slice(0, -1).map((lo, i) => {
    const hi = gapEdges[i + 1] ?? Number.POSITIVE_INFINITY
    return {
      label: Number.isFinite(hi) ? `<${hi >= 1000 ? `${hi / 1000}s` : `${hi}ms`}` : `≥${lo / 1000}s`,
      count: gaps.filter((g) => g >= lo && g < hi).length,
    }
  })
  const phases = data.meta.phases
  return [
    stackedBars('Client requests per second, by outcome', 'req/s', throughput, phases, total),
    lineChart(
      'Client latency percentiles (from intended send time)',
      'ms',
      [
        { name: 'p50', color: '#2563eb', values: pct(50) },
        { name: 'p95', color: '#f59e0b', values: pct(95) },
        { name: 'p99', color: '#dc2626', values: pct(99) },
      ],
      phases,
      total,
    ),
    lineChart(
      'Upstream attempts vs client requests per second',
      'per s',
      [
        { name: 'client requests', color: '#2563eb', values: requests },
        { name: 'upstream attempts', color: '#dc2626', values: attempts },
      ],
      phases,
      total,
    ),
    histogram('Upstream attempts per request', 'requests', attemptBins, '#2563eb'),
    histogram(`Gaps between retries (${gaps.length} retries)`, 'retries', gapBins, '#7c3aed'),
  ].join('\n')
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#111827;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px}table{border-collapse:collapse;width:100%;font-size:13px}
td,th{border-bottom:1px solid #e5e7eb;padding:4px 6px;text-align:left;vertical-align:top}
.pass{color:#16a34a}.fail{color:#dc2626;font-weight:600}.no-evidence{color:#6b7280}.badge{padding:2px 8px;border-radius:4px;color:#fff}
.badge.ok{background:#16a34a}.badge.ko{background:#dc2626}.badge.limited{background:#d97706}.harness-limited{color:#b45309;font-weight:600}figure{margin:16px 0}figcaption{font-weight:600;margin-bottom:4px}
code{font-size:12px}.examples{font-size:12px;color:#374151}.unreached{color:#b45309;font-weight:600}
pre.trees{font-size:12px;background:#f9fafb;padding:8px}
.sut-failure{background:#fef2f2;border-left:4px solid #dc2626;padding:8px;font-size:12px;white-space:pre-wrap}`

/** The attempt trees of a run with a client layer (SDK → gateway → upstream), or ''. */
function layersHtml(r: GradeResult): string {
  const lines = layerLines(r)
  if (lines.length === 0) return ''
  return `<h3>Attempt trees</h3>\n<p>${x(lines[0] ?? '')}</p>\n<pre class="trees">${x(lines.slice(1).join('\n'))}</pre>\n`
}

function sutFailureHtml(r: GradeResult): string {
  const lines = sutFailureLines(r)
  return lines.length === 0 ? '' : `<pre class="sut-failure">${x(lines.join('\n'))}</pre>`
}

/** A self-contained HTML report: verdicts first (what failed, on which requests), then charts. No scripts. */
export function renderHtml(results: Array<{ result: GradeResult; data: RunData }>): string {
  const sections = results.map(({ result: r, data }) => {
    const rows = r.checks
      .map(
        (c) =>
          `<tr><td class="${c.verdict}">${x(verdictLabel(c))}</td><td><code>${x(c.key)}</code><br><small>${x(c.summary)}</small></td><td>${x(formatValue(c.value, c.unit))}</td><td><code>${x(c.threshold)}</code></td><td>${x(c.evidence)}${
            c.verdict === 'fail' && c.examples.length > 0
              ? `<div class="examples">${c.examples.map((e) => x(formatTimeline(e))).join('<br>')}</div>`
              : ''
          }</td></tr>`,
      )
      .join('\n')
    const verdict = runVerdict(r)
    const harness = harnessLine(r)
    return `<section><h2><span class="badge ${verdict === 'PASS' ? 'ok' : verdict === 'FAIL' ? 'ko' : 'limited'}">${verdict}</span> ${x(r.scenario.name)} — ${x(r.sut.name ?? r.sut.mode)}${r.complete ? '' : ' (incomplete)'}</h2>
${r.harnessLimited ? `<p class="harness-limited">${x(r.harnessLimited)}</p>\n` : ''}<p>${x(r.scenario.description)}</p>${harness ? `\n<p><small>${x(harness)}</small></p>` : ''}
<p>${x(formatCounts(r.counts))}, seed ${r.seed}. ${r.summary.pass} pass, ${r.summary.fail} fail, ${r.summary.noEvidence} no evidence.</p>${
      formatUnreached(r.counts) ? `<p class="unreached">${x(formatUnreached(r.counts))}.</p>` : ''
    }${sutFailureHtml(r)}
<table><thead><tr><th>verdict</th><th>check</th><th>value</th><th>threshold</th><th>evidence</th></tr></thead><tbody>
${rows}
</tbody></table>
${layersHtml(r)}${runCharts(data)}</section>`
  })
  const passed = results.filter((r) => r.result.passed).length
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>brownout report</title><style>${STYLE}</style></head>
<body><h1>brownout: ${passed}/${results.length} scenarios passed</h1>
${sections.join('\n')}
</body></html>
`
}
