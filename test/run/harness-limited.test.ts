import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { grade } from '../../src/grade/grade.js'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { runScenario } from '../../src/run/run.js'
import type { Scenario } from '../../src/scenario/schema.js'
import { sutProfileSchema } from '../../src/sut/profile.js'

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname
const SLOW_CLIENT = fixture('clients/slow-start.mjs')

/** Blocks this process's event loop (the driver's and the upstreams') for `ms`, as an overloaded harness would. */
function busyWait(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {}
}

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('client mode: brownout caps its client processes and owns its lag', () => {
  // 10 req/s for 0.6 s of a client that needs ≥ 0.3 s of CPU to start, at most 2 at once: the requests queue for a
  // slot (seconds of start lag). Without the cap every process started at once and the machine saturated.
  const scenario: Scenario = {
    ...loadScenario(fixture('scenarios/short.yaml')),
    phases: [{ name: 'steady', duration: 600 }],
  }
  scenario.load = { ...scenario.load, rate: 10, timeout: 10_000 }

  it('a client slow to start, at a rate above what the cap allows, is harness-limited, not graded as hangs; never more than max_processes run at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brownout-harness-'))
    dirs.push(dir)
    const log = join(dir, 'clients.log')
    const profile = sutProfileSchema.parse({
      name: 'slow-start',
      kind: 'client',
      command: [process.execPath, SLOW_CLIENT],
      env: { CLIENT_LOG: log },
      max_processes: 2,
    })
    const result = await runScenario({ scenario, sut: { mode: 'sut', profile, file: SLOW_CLIENT } })
    const g = grade(result)

    const harness = result.meta.harness
    expect(harness?.limited).toBe(true)
    expect(harness?.clientProcesses?.cap).toBe(2)
    expect(harness?.clientProcesses?.startLag.p99Ms).toBeGreaterThan(harness?.boundMs ?? 0)
    // Every process reached the upstream after its 300 ms start, measured per request.
    expect(harness?.clientProcesses?.firstAttemptLag.count).toBe(6)
    expect(harness?.clientProcesses?.firstAttemptLag.p99Ms).toBeGreaterThanOrEqual(300)
    expect(g.passed).toBe(false)
    expect(g.harnessLimited).toMatch(/client process start lag p99 .*max_processes, now 2/)
    expect(result.records.filter((r) => r.outcome === 'timeout')).toHaveLength(0)

    // The cap, seen from the clients' side: their own start and end times never overlap more than 2 deep.
    const spans = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ').map(Number))
    expect(spans).toHaveLength(6)
    const events = spans.flatMap(([, start = 0, end = 0]) => [
      { t: start, d: 1 },
      { t: end, d: -1 },
    ])
    events.sort((a, b) => a.t - b.t || a.d - b.d)
    let open = 0
    let most = 0
    for (const e of events) {
      open += e.d
      most = Math.max(most, open)
    }
    expect(most).toBeLessThanOrEqual(2)
    expect(harness?.clientProcesses?.peak).toBe(2)
  }, 30_000)
})

describe('--direct: a blocked event loop makes the run harness-limited', () => {
  const scenario: Scenario = {
    ...loadScenario(fixture('scenarios/short.yaml')),
    phases: [{ name: 'steady', duration: 1500 }],
  }
  scenario.load = { ...scenario.load, rate: 50 }

  it('a 600 ms stall of the harness during the run is measured and marks the run harness-limited', async () => {
    const stall = setTimeout(() => busyWait(600), 500)
    const result = await runScenario({ scenario, sut: { mode: 'direct' } }).finally(() => clearTimeout(stall))
    const harness = result.meta.harness
    expect(harness?.limited).toBe(true)
    expect(harness?.eventLoop.maxMs).toBeGreaterThanOrEqual(550)
    expect(harness?.sendLag.p99Ms).toBeGreaterThanOrEqual(500)
    expect(harness?.reasons.join('; ')).toMatch(/send lag p99/)
    const g = grade(result)
    expect(g.passed).toBe(false)
    expect(g.harnessLimited).toMatch(/^harness-limited: brownout could not keep up/)
  })

  it('an ordinary short run is not harness-limited, and says what it measured', async () => {
    const result = await runScenario({ scenario, sut: { mode: 'direct' } })
    const harness = result.meta.harness
    expect(harness?.limited, harness?.reasons.join('; ')).toBe(false)
    expect(harness?.eventLoop.count).toBeGreaterThan(0)
    expect(harness?.sendLag.count).toBe(75)
    expect(harness?.warmup).toBeNull()
    const g = grade(result)
    expect(g.harnessLimited).toBeNull()
    expect(g.passed).toBe(true)
  })
})
