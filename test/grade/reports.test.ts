import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { grade } from '../../src/grade/grade.js'
import { loadRun } from '../../src/record/saved.js'
import { renderConsole } from '../../src/report/console.js'
import { renderJunit } from '../../src/report/junit.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { tempDir } from '../helpers.js'
import { runThroughGateway } from './matrix.js'

let dir = ''

beforeAll(async () => {
  dir = tempDir('brownout-report-')
  // Through the reference gateway with one immediate retry, so that the charts have retries to show. Two checks
  // are set to fail whatever the machine's load (retries.jitter may say "too busy" on a loaded machine):
  // client.success_rate with a bar no run can reach, and retries.max_attempts "<= 1", whose examples are the
  // retried requests (503, then 200).
  await runThroughGateway(
    'transient-503',
    { RETRIES: '1', BACKOFF_MS: '0' },
    {
      outDir: dir,
      edit: (s) => ({
        ...s,
        phases: [
          { name: 'calm', duration: 800 },
          { name: 'storm', duration: 800 },
        ],
        expect: { ...s.expect, 'client.success_rate': '>= 1.1', 'retries.max_attempts': '<= 1' },
      }),
    },
  )
}, 30_000)

describe('reports', () => {
  it('re-grades a saved run to the same result (brownout report)', () => {
    const saved = loadRun(dir)
    const again = grade(saved)
    expect(again).toEqual(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')))
    expect(again.passed).toBe(false)
  })

  it('console: a table with verdicts and an example timeline under a failing check', () => {
    const text = renderConsole(grade(loadRun(dir)))
    expect(text).toMatch(/^✗ FAIL {2}transient-503 — gateway/)
    expect(text).toMatch(/✗ client\.success_rate +FAIL/)
    expect(text).toMatch(/e\.g\. brn-\S+: primary @\d+ms 503 \[error\] → primary @\d+ms \(after \d+ ms\) 200/)
  })

  it('junit.xml: a testcase per check, failures for failing required checks, skipped for no evidence', () => {
    const result = grade(loadRun(dir))
    const xml = renderJunit([result])
    expect(xml.match(/<testcase /g)).toHaveLength(result.checks.length)
    expect(xml).toContain('<failure message="client.success_rate: 1.000 does not meet &gt;= 1.1">')
    expect(xml).toMatch(/<skipped message="no evidence: /)
    expect(xml).toContain(`failures="${result.summary.failing}"`)
  })

  it('summary.md: a headline, a table, and example requests', () => {
    const md = renderMarkdown([grade(loadRun(dir))])
    expect(md).toContain('## brownout: 0/1 scenarios passed')
    expect(md).toContain('| ❌ | `client.success_rate` | FAIL |')
    expect(md).toContain('<details><summary>Example requests</summary>')
  })

  it('report.html renders in headless Chromium with no console errors and data in every chart', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
      const errors: string[] = []
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text())
      })
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(`file://${join(dir, 'report.html')}`)
      const charts = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((svg) => ({
          label: svg.getAttribute('aria-label'),
          drawn: [...svg.querySelectorAll('.series')].filter((el) => {
            const box = (el as unknown as { getBBox(): { width: number; height: number } }).getBBox()
            return el.tagName === 'polyline'
              ? Number(el.getAttribute('data-points')) > 1 && box.width > 0
              : box.width > 0 && box.height > 0
          }).length,
        })),
      )
      expect(charts.length).toBe(5)
      for (const chart of charts) expect(chart.drawn, String(chart.label)).toBeGreaterThan(0)
      expect(await page.locator('.phase').count()).toBeGreaterThanOrEqual(6)
      await page.screenshot({ path: join(dir, 'report.png'), fullPage: true })
      if (process.env.BROWNOUT_SCREENSHOT)
        await page.screenshot({ path: process.env.BROWNOUT_SCREENSHOT, fullPage: true })
      expect(errors).toEqual([])
    } finally {
      await browser.close()
    }
    expect(existsSync(join(dir, 'report.png'))).toBe(true)
    expect(statSync(join(dir, 'report.png')).size).toBeGreaterThan(10_000)
  }, 60_000)
})
