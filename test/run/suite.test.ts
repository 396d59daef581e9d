import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { brownoutCli } from '../helpers.js'

const _CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname

const brownout = brownoutCli

describe('brownout suite', () => {
  it('runs catalogue scenarios against both reference gateways and prints a side-by-side scorecard', async () => {
    const out = mkdtempSync(join(tmpdir(), 'brownout-suite-'))
    const r = await brownout(['suite', '--only', 'transient-503,fatal-400', '--fast', '0.5', '--out', out])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/scenario +naive-gateway +resilient-gateway/)
    expect(r.stdout).toMatch(/transient-503 +✗ client\.success_rate, retries\.transient_retried +✓ pass/)
    expect(r.stdout).toMatch(/fatal-400 +✓ pass +✓ pass/)
    expect(r.stdout).toMatch(/resilience score +50% +\(1\/2 scenarios\) +100% +\(2\/2 scenarios\)/)
    const md = readFileSync(join(out, 'scorecard.md'), 'utf8')
    expect(md).toContain('| **resilience score** | **50%** | **100%** |')
    expect(readFileSync(join(out, 'scorecard.html'), 'utf8')).toContain('<span class="score">100%</span>')
    expect(readFileSync(join(out, 'transient-503', 'naive-gateway', 'junit.xml'), 'utf8')).toContain('<failure')
  }, 60_000)

  it('lists the catalogue: at least 24 scenarios, each saying what it proves', async () => {
    const r = await brownout(['list', 'scenarios'])
    const names = r.stdout.match(/^[a-z0-9-]+$/gm) ?? []
    expect(names.length).toBeGreaterThanOrEqual(24)
    expect(r.stdout).toContain('connection-refused-failover\n  The primary')
  })
})
