import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { templateValues } from '../../src/sut/profile.js'
import { brownoutCli, tempDir } from '../helpers.js'

const file = (path: string) => new URL(`../../${path}`, import.meta.url).pathname

describe('client mode through a gateway: SDK → gateway → upstreams', () => {
  it('a client profile’s `through` starts the gateway; the reports show the attempt tree, SDK 3 × gateway 3', async () => {
    const out = tempDir('brownout-through-')
    const r = await brownoutCli([
      'run',
      file('scenarios/stacked-retries.yaml'),
      '--sut',
      file('examples/clients/openai-sdk-through-gateway.client.yaml'),
      '--out',
      out,
    ])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toContain('retries.stacked_amplification')
    expect(r.stdout).toMatch(/attempt trees \(SDK attempts told apart by x-stainless-retry-count\)/)
    expect(r.stdout).toMatch(
      /SDK 3 × gateway 3 = 9 upstream attempts\n\s+SDK attempt 0\n\s+primary @\d+ms 503 \[error\]\n\s+retry → primary/,
    )
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'))
    expect(result.sut).toMatchObject({ name: 'stacked-gateway', client: { name: 'openai-sdk-through-gateway' } })
    expect(result.layers.worst[0].sdk.map((s: { retry: number }) => s.retry)).toEqual([0, 1, 2])
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('SDK attempt 2')
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<h3>Attempt trees</h3>')
    const alive = result.checks.find((c: { key: string }) => c.key === 'sut.alive_after')
    expect(alive.verdict).toBe('pass')
  }, 60_000)
})

describe('the scenario’s client and sut_limits', () => {
  it('a scenario’s client is found next to the scenario, and must exist', () => {
    const s = loadScenario(file('scenarios/stacked-retries.yaml'))
    expect(s.client).toBe(file('examples/clients/openai-sdk.client.yaml'))
    const dir = tempDir('brownout-client-')
    const bad = join(dir, 'bad.yaml')
    writeFileSync(bad, 'name: x\nclient: nosuch.client.yaml\nupstreams: { primary: {} }\n')
    expect(() => loadScenario(bad)).toThrow(
      expect.objectContaining({ problems: [expect.stringContaining('client: no file nosuch.client.yaml')] }),
    )
  })

  it('sut_limits reach a SUT profile as {{sut_limits.rate}} and {{sut_limits.budget}}, empty when not stated', () => {
    expect(templateValues(1, {}, { requests: 20, per: 1000 })).toMatchObject({
      'sut_limits.rate': '20/1000ms',
      'sut_limits.budget': '',
    })
    expect(templateValues(1, {}, { budget: 30 })).toMatchObject({ 'sut_limits.rate': '', 'sut_limits.budget': '30' })
    expect(templateValues(1, {})).toMatchObject({ 'sut_limits.rate': '', 'sut_limits.budget': '' })
  })
})
