import { type ChildProcess, spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import type { Scenario } from '../../src/scenario/schema.js'
import { failures, runThroughGateway, verdictOf } from './matrix.js'

/** CPU burners: processes that spin for at most 30 s, stopped by the test by their pid. */
const burners: ChildProcess[] = []
function burnCpu(count: number): void {
  for (let i = 0; i < count; i++) {
    burners.push(
      spawn(process.execPath, ['-e', 'const end = Date.now() + 30000; while (Date.now() < end) {}'], {
        stdio: 'ignore',
      }),
    )
  }
}
afterEach(() => {
  for (const b of burners.splice(0)) if (b.pid !== undefined && b.exitCode === null) process.kill(b.pid, 'SIGKILL')
})

/** transient-503, 2.5 s long: 25 first retries are enough for the jitter check (it needs 10). */
const short = (s: Scenario): Scenario => ({ ...s, phases: s.phases.map((p) => ({ ...p, duration: 2500 })) })

/** The same policies and verdicts as the validity matrix rows, on a machine kept busy by two spinning processes. */
const POLICIES: Array<[string, Record<string, string>, 'pass' | 'fail']> = [
  ['immediate retries', { BACKOFF_MS: '0' }, 'fail'],
  ['fixed 100 ms backoff, no jitter', { JITTER: 'none' }, 'fail'],
  ['the SDKs’ 25 % jitter', { JITTER: 'sdk', BACKOFF_MS: '500' }, 'pass'],
]

// On a machine this busy, timers run 40–85 ms late (brownout's own send lag, p90): the spread of a fixed backoff
// and the SDKs' 25 % jitter over 375–500 ms overlap, and no check on 25 gaps can tell them apart. The check then
// says so (no evidence: too busy) instead of passing noise as jitter or failing jitter as noise.
describe('retries.jitter never gives the wrong verdict on a busy machine', () => {
  it.each(POLICIES)(
    '%s → %s (or no evidence: too busy) with two CPU burners running',
    async (_policy, env, verdict) => {
      burnCpu(2)
      const result = await runThroughGateway('transient-503', env, { edit: short })
      const jitter = result.checks.find((c) => c.key === 'retries.jitter')
      const got = verdictOf(result, 'retries.jitter')
      const why = `${jitter?.evidence}; ${failures(result)}`
      expect(got === verdict || (got === 'no-evidence' && /too busy/.test(jitter?.evidence ?? '')), why).toBe(true)
      if (verdict === 'fail' && env.BACKOFF_MS === '0') expect(got, why).toBe('fail')
    },
    30_000,
  )
})
