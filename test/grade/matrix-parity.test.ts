import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { expectPasses, failures, runThroughGateway, verdictOf } from './matrix.js'

const out = mkdtempSync(join(tmpdir(), 'brownout-parity-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe.concurrent('validity matrix (Failover Bench parity): probe discipline and amplification are graded', () => {
  it('the resilient gateway probes a down upstream one attempt at a time (outage-probe-discipline)', async () => {
    const result = await runThroughGateway('outage-probe-discipline', { RETRY_BUDGET: '1' })
    expectPasses(result)
    expect(verdictOf(result, 'breaker.probes')).toBe('pass')
  }, 30_000)

  // One retry: the burst is a matter of timing (how many requests wait when a break ends); in a full suite on two
  // cores the narrowed rerun's burst has once come out at 2 in flight, the check's bound. Alone it never has.
  it('a breaker without half-open sends a burst into the outage each break (DEFECTS=no-half-open); its repro bundle shows it again', {
    retry: 1,
    timeout: 40_000,
  }, async () => {
    const defect = { RETRY_BUDGET: '1', DEFECTS: 'no-half-open' }
    const dir = join(out, 'no-half-open')
    const result = await runThroughGateway('outage-probe-discipline', defect, { outDir: dir })
    expect(verdictOf(result, 'breaker.probes'), failures(result)).toBe('fail')
    expect(result.passed).toBe(false)
    // A check of the whole load: the bundle is the run cut after its last example, with the scenario's own rules.
    const narrowed = loadScenario(join(dir, 'repro', 'outage-probe-discipline', 'breaker.probes', 'scenario.yaml'))
    const again = await runThroughGateway('outage-probe-discipline', defect, { edit: () => narrowed })
    expect(verdictOf(again, 'breaker.probes'), failures(again)).toBe('fail')
    const resilient = await runThroughGateway(
      'outage-probe-discipline',
      { RETRY_BUDGET: '1' },
      { edit: () => narrowed },
    )
    expect(resilient.passed, failures(resilient)).toBe(true)
  })

  it('a retry storm fails retries.amplification by default (RETRIES=9, no breaker)', async () => {
    const result = await runThroughGateway('sustained-outage', {
      RETRIES: '9',
      BREAKER: '0',
      BACKOFF_MS: '5',
      MAX_BACKOFF_MS: '10',
    })
    const amplification = result.checks.find((c) => c.key === 'retries.amplification')
    const { verdict, required, threshold, source } = amplification ?? {}
    expect({ verdict, required, threshold, source }, failures(result)).toEqual({
      verdict: 'fail',
      required: true,
      threshold: '<= 3',
      source: 'default',
    })
    expect(result.passed).toBe(false)
  }, 30_000)
})

describe('repro bundles reproduce the failure they were cut from', () => {
  it('retry-4xx fails retries.fatal_retried; the bundle fails it again on the same gateway and passes on the resilient one', async () => {
    const defect = { DEFECTS: 'retry-4xx' }
    const first = await runThroughGateway('fatal-400', defect, { outDir: out })
    expect(verdictOf(first, 'retries.fatal_retried')).toBe('fail')
    const bundle = join(out, 'repro', 'fatal-400', 'retries.fatal_retried')
    for (const file of ['scenario.yaml', 'curl.sh', 'journal.jsonl', 'requests.jsonl', 'README.md'])
      expect(existsSync(join(bundle, file)), file).toBe(true)
    const curl = readFileSync(join(bundle, 'curl.sh'), 'utf8')
    expect(curl).toMatch(/x-brownout-request-id: brn-[a-z0-9]+-0/)
    const journal = readFileSync(join(bundle, 'journal.jsonl'), 'utf8').trim().split('\n')
    expect(journal.length).toBeGreaterThanOrEqual(2) // a retried 400: at least two attempts of one request

    const narrowed = loadScenario(join(bundle, 'scenario.yaml'))
    expect(narrowed.load.requests).toBeGreaterThan(0)
    expect(narrowed.load.requests).toBeLessThanOrEqual(3)
    const again = await runThroughGateway('fatal-400', defect, { edit: () => narrowed })
    expect(verdictOf(again, 'retries.fatal_retried'), failures(again)).toBe('fail')
    expect(again.counts.requests).toBe(narrowed.load.requests)
    const resilient = await runThroughGateway('fatal-400', { RETRY_BUDGET: '1' }, { edit: () => narrowed })
    expect(resilient.passed, failures(resilient)).toBe(true)
  }, 40_000)

  it('single-request form: load.requests 1 sends exactly one request (Failover Bench S01 through the gateway)', async () => {
    const result = await runThroughGateway(
      'rate-limit-retry-after',
      {},
      { edit: (s) => ({ ...s, load: { ...s.load, requests: 1 } }) },
    )
    expect(result.counts.requests).toBe(1)
    expect(verdictOf(result, 'retries.retry_after_honored'), failures(result)).toBe('pass')
  }, 30_000)
})
