import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { renderConsole } from '../../src/report/console.js'
import { formatCounts, formatTimeline } from '../../src/report/format.js'
import { tempDir } from '../helpers.js'
import { runThroughGateway, verdictOf } from './matrix.js'

const CHROMIUM = '/usr/bin/chromium'

describe('what the client saw, in every summary', () => {
  it('a pass-through proxy on a reset mid-stream: broken streams, not "ok", in the counts, summary.md and chart', async () => {
    const dir = tempDir('brownout-broken-')
    const result = await runThroughGateway('stream-reset-mid-stream', { RETRIES: '0' }, { outDir: dir })
    const sent = result.counts.requests - result.counts.notSent
    expect(result.counts.byOutcome['broken-stream']).toBe(sent)
    expect(result.counts.byOutcome.ok).toBeUndefined()
    expect(formatCounts(result.counts)).toContain(`(broken-stream ${sent})`)
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain(`broken-stream ${sent}`)
    expect(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).counts.byOutcome['broken-stream']).toBe(sent)
    const html = readFileSync(join(dir, 'report.html'), 'utf8')
    expect(html).toMatch(/<rect class="series" data-series="broken stream" [^>]*fill="#0891b2"/)
    expect(html).not.toContain('data-series="2xx"')
    if (!existsSync(CHROMIUM)) return // the rendering check needs a browser; the markup is checked above
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    })
    try {
      const page = await browser.newPage()
      await page.goto(`file://${join(dir, 'report.html')}`)
      const drawn = await page.$$eval('svg.chart[aria-label^="Client requests per second"] rect.series', (rects) =>
        rects
          .filter((r) => (r as unknown as { getBBox(): { height: number } }).getBBox().height > 0)
          .map((r) => r.getAttribute('data-series')),
      )
      expect(drawn.length).toBeGreaterThan(0)
      expect(new Set(drawn)).toEqual(new Set(['broken stream']))
    } finally {
      await browser.close()
    }
  }, 60_000)

  it('a gateway that answers itself: the summary says how many requests never reached an upstream', async () => {
    const dir = tempDir('brownout-unreached-')
    const result = await runThroughGateway('transient-503', { DEFECTS: 'answer-when-down' }, { outDir: dir })
    const sent = result.counts.requests - result.counts.notSent
    expect(result.counts.neverReachedUpstream).toBe(sent - 1)
    const line = `${sent - 1} of ${sent} requests never reached an upstream`
    expect(renderConsole(result)).toContain(line)
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain(line)
    expect(verdictOf(result, 'client.success_rate')).toBe('fail')
  }, 30_000)

  it('examples show the status and first bytes the client got next to the upstream timeline', async () => {
    // Upstream 503s turned into the gateway's own HTML pages: the client's view sits after the upstream's.
    const result = await runThroughGateway('sustained-outage', { DEFECTS: 'html-errors' })
    const check = result.checks.find((c) => c.key === 'client.errors_well_formed')
    expect(check?.verdict).toBe('fail')
    const example = check?.examples[0]
    expect(example?.client?.status).toBeGreaterThanOrEqual(500)
    expect(example?.client?.body).toMatch(/^<html><body><h1>5\d\d<\/h1>/)
    // Once the breaker opens the gateway answers itself (no upstream step): take an example that reached one.
    const reached = check?.examples.find((e) => e.timeline.length > 0)
    expect(reached && formatTimeline(reached)).toMatch(
      /^brn-\S+: primary @\d+ms 503 .*⇒ client got 5\d\d <html><body><h1>5/,
    )
    expect(renderConsole(result)).toMatch(/e\.g\. brn-\S+: .*⇒ client got 5\d\d <html><body><h1>5/)
  }, 30_000)
})
