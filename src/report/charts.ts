import type { PhaseWindow } from '../record/phase.js'
import { escapeXml as x } from './format.js'

export interface Series {
  name: string
  color: string
  values: number[]
}

const W = 720
const H = 220
const PAD = { left: 48, right: 12, top: 24, bottom: 28 }
/** The plot area inside the padding. */
const PLOT_W = W - PAD.left - PAD.right
const PLOT_H = H - PAD.top - PAD.bottom
const PHASE_FILL = ['#f3f4f6', '#fde8e8', '#e8f0fd', '#fdf6e3', '#e8fdf0']

function niceMax(v: number): number {
  if (v <= 0) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v) ?? v
}

function frame(title: string, yMax: number, yLabel: string, inner: string, legend: Series[], xLabels: string): string {
  const ticks = [0, 0.5, 1]
    .map((f) => {
      const y = PAD.top + PLOT_H * (1 - f)
      return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#e5e7eb"/><text x="${PAD.left - 4}" y="${y + 4}" text-anchor="end" font-size="10">${+(yMax * f).toPrecision(3)}</text>`
    })
    .join('')
  const keys = legend
    .map(
      (s, i) =>
        `<rect x="${PAD.left + i * 95}" y="6" width="10" height="10" fill="${s.color}"/><text x="${PAD.left + 14 + i * 95}" y="15" font-size="11">${x(s.name)}</text>`,
    )
    .join('')
  return `<figure><figcaption>${x(title)}</figcaption><svg class="chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${x(title)}" xmlns="http://www.w3.org/2000/svg">${ticks}${inner}${keys}<text x="4" y="${PAD.top - 6}" font-size="10">${x(yLabel)}</text>${xLabels}</svg></figure>`
}

function phaseBands(phases: PhaseWindow[], totalMs: number): string {
  return phases
    .map((p, i) => {
      const x0 = PAD.left + (p.startMs / totalMs) * PLOT_W
      const w = ((p.endMs - p.startMs) / totalMs) * PLOT_W
      return `<rect class="phase" x="${x0}" y="${PAD.top}" width="${w}" height="${H - PAD.top - PAD.bottom}" fill="${PHASE_FILL[i % PHASE_FILL.length]}"/><text x="${x0 + 3}" y="${H - PAD.bottom - 4}" font-size="10" fill="#6b7280">${x(p.name)}</text>`
    })
    .join('')
}

function timeLabels(totalMs: number): string {
  return [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<text x="${PAD.left + f * PLOT_W}" y="${H - 8}" text-anchor="middle" font-size="10">${((f * totalMs) / 1000).toFixed(1)}s</text>`,
    )
    .join('')
}

/** Lines over time (one value per bucket), phases shaded. */
export function lineChart(
  title: string,
  yLabel: string,
  series: Series[],
  phases: PhaseWindow[],
  totalMs: number,
): string {
  const buckets = Math.max(1, ...series.map((s) => s.values.length))
  const yMax = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter(Number.isFinite))))
  const paths = series
    .map((s) => {
      const pts = s.values
        .map((v, i) =>
          Number.isFinite(v)
            ? `${(PAD.left + ((i + 0.5) / buckets) * PLOT_W).toFixed(1)},${(PAD.top + PLOT_H * (1 - v / yMax)).toFixed(1)}`
            : null,
        )
        .filter((p): p is string => p !== null)
      return pts.length > 0
        ? `<polyline class="series" data-series="${x(s.name)}" data-points="${pts.length}" fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(' ')}"/>`
        : ''
    })
    .join('')
  return frame(title, yMax, yLabel, phaseBands(phases, totalMs) + paths, series, timeLabels(totalMs))
}

/** Stacked bars over time (one stack per bucket), phases shaded. */
export function stackedBars(
  title: string,
  yLabel: string,
  series: Series[],
  phases: PhaseWindow[],
  totalMs: number,
): string {
  const buckets = Math.max(1, ...series.map((s) => s.values.length))
  const totals = Array.from({ length: buckets }, (_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0))
  const yMax = niceMax(Math.max(0, ...totals))
  const bw = PLOT_W / buckets
  const rects: string[] = []
  for (let i = 0; i < buckets; i++) {
    let y = PAD.top + PLOT_H
    for (const s of series) {
      const v = s.values[i] ?? 0
      if (v <= 0) continue
      const h = (v / yMax) * PLOT_H
      y -= h
      rects.push(
        `<rect class="series" data-series="${x(s.name)}" x="${(PAD.left + i * bw + 0.5).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0.5, bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${x(s.name)}: ${v}</title></rect>`,
      )
    }
  }
  return frame(title, yMax, yLabel, phaseBands(phases, totalMs) + rects.join(''), series, timeLabels(totalMs))
}

/** A histogram: labelled bars. */
export function histogram(
  title: string,
  yLabel: string,
  bins: Array<{ label: string; count: number }>,
  color: string,
): string {
  const yMax = niceMax(Math.max(0, ...bins.map((b) => b.count)))
  const bw = PLOT_W / Math.max(1, bins.length)
  const rects = bins
    .map((b, i) => {
      const h = (b.count / yMax) * PLOT_H
      const bar =
        b.count > 0
          ? `<rect class="series" data-series="${x(b.label)}" x="${(PAD.left + i * bw + 1).toFixed(1)}" y="${(PAD.top + PLOT_H - h).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"><title>${x(b.label)}: ${b.count}</title></rect>`
          : ''
      return `${bar}<text x="${(PAD.left + (i + 0.5) * bw).toFixed(1)}" y="${H - 10}" text-anchor="middle" font-size="10">${x(b.label)}</text>`
    })
    .join('')
  return frame(title, yMax, yLabel, rects, [], '')
}
