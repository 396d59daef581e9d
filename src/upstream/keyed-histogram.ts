import type { Metric, Registry } from 'prom-client'

type Labels = Record<string, string>

/** One labelled series: its labels, the count in each bucket (not cumulative), the sum and the count. */
interface Series {
  labels: Labels
  buckets: number[]
  sum: number
  count: number
}

/** A value as prom-client's histograms export it (the registry formats these). */
interface ExportedValue {
  labels: Record<string, string | number>
  sharedLabels: Labels
  value: number
  metricName: string
  exemplar: null | undefined
}

/**
 * A Prometheus histogram whose series the caller finds by a key it builds from the label values it already holds:
 * prom-client's Histogram validates and hashes a labels object on every observation, a cost a busy upstream paid
 * on every request. It exports exactly what prom-client's would (the same values, in the same order, formatted by
 * the same registry), so /metrics and a cluster's merged metrics read the same.
 */
export class KeyedHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  private series = new Map<string, Series>()

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric)
  }

  /** Observes `value` in the series `key`; `labels` builds its labels the first time the key is seen. */
  observe(key: string, labels: () => Labels, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`)
    let s = this.series.get(key)
    if (!s) {
      s = { labels: labels(), buckets: this.upperBounds.map(() => 0), sum: 0, count: 0 }
      this.series.set(key, s)
    }
    const bounds = this.upperBounds
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] ?? 0)) {
        s.buckets[i] = (s.buckets[i] ?? 0) + 1
        break
      }
    }
    s.sum += value
    s.count += 1
  }

  reset(): void {
    this.series.clear()
  }

  /** What prom-client's Histogram.getForPromString gives: labels and the series' labels apart. */
  getForPromString(): Promise<{
    name: string
    help: string
    type: string
    values: ExportedValue[]
    aggregator: string
  }> {
    const values: ExportedValue[] = []
    const bucket = `${this.name}_bucket`
    for (const s of this.series.values()) {
      let acc = 0
      this.upperBounds.forEach((le, i) => {
        acc += s.buckets[i] ?? 0
        values.push({ labels: { le }, sharedLabels: s.labels, value: acc, metricName: bucket, exemplar: null })
      })
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: bucket, exemplar: null },
        { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum`, exemplar: undefined },
        { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count`, exemplar: undefined },
      )
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator })
  }

  /** What prom-client's Histogram.get gives (getMetricsAsJSON, a cluster's merge): each value's labels splayed. */
  async get(): Promise<{
    name: string
    help: string
    type: string
    values: Array<Omit<ExportedValue, 'sharedLabels'>>
    aggregator: string
  }> {
    const data = await this.getForPromString()
    const values = data.values.map(({ sharedLabels, labels, ...rest }) => {
      for (const label of Object.keys(sharedLabels)) labels[label] = sharedLabels[label] ?? ''
      return { ...rest, labels }
    })
    return { ...data, values }
  }
}
