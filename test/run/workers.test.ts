import { describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { runScenario } from '../../src/run/run.js'
import { workerCount } from '../../src/run/workers.js'
import { brownoutCli } from '../helpers.js'

const fixture = (name: string) => new URL(`../fixtures/scenarios/${name}`, import.meta.url).pathname

describe('run --workers', () => {
  it('sends the load from worker processes and gives the single-process run: same requests, same faults', async () => {
    const scenario = loadScenario(fixture('segmented.yaml'))
    const one = await runScenario({ scenario, sut: { mode: 'direct' } })
    const two = await runScenario({ scenario, sut: { mode: 'direct' }, workers: 2 })
    expect(two.meta.complete).toBe(true)
    const seen = (rs: typeof one.records) => rs.map((r) => `${r.id} ${r.status} ${r.outcome}`).sort()
    expect(seen(two.records)).toEqual(seen(one.records))
    expect(two.records.some((r) => r.status === 503)).toBe(true)
    // One upstream process saw every attempt: the attempt counts and faults are the single-process ones.
    const attempts = (js: typeof one.journal) => js.map((e) => `${e.requestId}#${e.attempt} ${e.faults}`).sort()
    expect(attempts(two.journal)).toEqual(attempts(one.journal))
    // Each request was sent on time by its worker: the send lag stays that of a quiet machine, not a queue.
    expect(two.meta.harness?.sendLag.count).toBe(two.records.length)
  }, 30_000)

  it('takes a count or auto (one per core but one)', () => {
    expect(workerCount('3', 8)).toBe(3)
    expect(workerCount('auto', 8)).toBe(7)
    expect(workerCount('auto', 1)).toBe(1)
    for (const bad of ['0', '-1', '1.5', 'many']) expect(() => workerCount(bad, 4)).toThrow(/--workers .*auto/)
  })

  it('refuses a closed-model scenario up front, with the fix', async () => {
    const r = await brownoutCli(['run', fixture('closed.yaml'), '--direct', '--workers', '2'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/closed model .*give the load a rate/s)
  })
})
