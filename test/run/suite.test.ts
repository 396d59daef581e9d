import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { brownoutCli, tempDir } from '../helpers.js'

const GATEWAY = new URL('../../examples/gateways/gateway.mjs', import.meta.url).pathname
const NEVER_READY = new URL('../fixtures/sut/never-ready.sut.yaml', import.meta.url).pathname

describe('brownout suite', () => {
  it('runs catalogue scenarios against both reference gateways and prints a side-by-side scorecard', async () => {
    const out = tempDir('brownout-suite-')
    const r = await brownoutCli(['suite', '--only', 'transient-503,fatal-400', '--fast', '0.5', '--out', out])
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

  it('a SUT that crashes fails that scenario, with its exit code and last output; the suite goes on', async () => {
    const out = tempDir('brownout-suite-crash-')
    const profile = join(out, 'crasher.sut.yaml')
    writeFileSync(
      profile,
      [
        'name: crasher',
        `command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(GATEWAY)}]`,
        'env: { PORT: "{{port}}", UPSTREAMS: "{{upstreams.*.url}}", DEFECTS: crash-mid-stream }',
        'ready: { path: /health, timeout: 10s }',
      ].join('\n'),
    )
    const r = await brownoutCli([
      'suite',
      '--sut',
      profile,
      '--only',
      'stream-reset-mid-stream,transient-503',
      '--fast',
      '0.5',
      '--out',
      out,
    ])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toMatch(/stream-reset-mid-stream +crasher: FAIL \(SUT crashed \(exited with code 1\)/)
    expect(r.stdout).toContain('crasher: the SUT exited with code 1 during the run')
    expect(r.stdout).toMatch(/transient-503 +crasher: pass/)
    expect(r.stdout).toMatch(/stream-reset-mid-stream +✗ SUT crashed \(exited with code 1\)/)
    const md = readFileSync(join(out, 'scorecard.md'), 'utf8')
    expect(md).toContain('### SUT failures')
    expect(md).toContain('DEFECTS=crash-mid-stream')
    const result = JSON.parse(readFileSync(join(out, 'stream-reset-mid-stream', 'crasher', 'result.json'), 'utf8'))
    expect(result.sut.failure).toMatchObject({ when: 'run', reason: 'exited with code 1' })
    expect(readFileSync(join(out, 'stream-reset-mid-stream', 'crasher', 'summary.md'), 'utf8')).toContain(
      'the SUT exited with code 1 during the run',
    )
  }, 60_000)

  it('a SUT that never starts: each scenario records it, the scorecard is written, exit 3', async () => {
    const out = tempDir('brownout-suite-never-')
    const r = await brownoutCli(['suite', '--sut', NEVER_READY, '--only', 'transient-503,fatal-400', '--out', out])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('no scenario could run')
    expect(r.stdout).toMatch(/fatal-400 +never-ready: FAIL \(SUT did not start \(did not answer/)
    expect(r.stdout).toMatch(/transient-503 +never-ready: FAIL/)
    expect(readFileSync(join(out, 'scorecard.md'), 'utf8')).toContain('never-ready.mjs: thinking about it')
  }, 60_000)

  it('lists the catalogue: at least 24 scenarios, each saying what it proves', async () => {
    const r = await brownoutCli(['list', 'scenarios'])
    const names = r.stdout.match(/^[a-z0-9-]+$/gm) ?? []
    expect(names.length).toBeGreaterThanOrEqual(24)
    expect(r.stdout).toContain('connection-refused-failover\n  The primary')
  })
})
