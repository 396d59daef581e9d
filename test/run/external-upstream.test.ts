import { describe, expect, it } from 'vitest'
import { pinUpstreamPorts } from '../../src/cli/upstream-ports.js'
import { type GradeResult, grade } from '../../src/grade/grade.js'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { mergeRuns } from '../../src/record/merge.js'
import type { RunData } from '../../src/record/run-data.js'
import { withChanges } from '../../src/record/shared-parts.js'
import { checkExternal } from '../../src/run/external.js'
import { runScenario } from '../../src/run/run.js'
import { scenarioUpstream } from '../../src/upstream/scenario-upstream.js'
import { type RunningUpstream, startUpstream } from '../../src/upstream/server.js'
import { brownoutCli, tempDir } from '../helpers.js'

const SCENARIO = new URL('../fixtures/scenarios/segmented.yaml', import.meta.url).pathname

const verdicts = (r: GradeResult) => Object.fromEntries(r.checks.map((c) => [c.key, c.verdict]))
const attempts = (data: RunData) =>
  data.journal.map((e) => `${e.upstream} ${e.requestId}#${e.attempt} ${e.faults}`).sort()

/** The scenario's upstream as `brownout serve --scenario FILE` serves it, in this process, on a free port. */
async function served(): Promise<RunningUpstream> {
  return startUpstream({ ...scenarioUpstream(loadScenario(SCENARIO), 'primary', SCENARIO), port: 0 })
}

describe('run --upstream-url: an upstream served elsewhere', () => {
  it('takes the traffic of two segments, and the merged run is the run of one process', async () => {
    const scenario = loadScenario(SCENARIO)
    const upstream = await served()
    try {
      const whole = await runScenario({ scenario, sut: { mode: 'direct' } })
      const external = { urls: { primary: upstream.url } }
      const parts = await Promise.all(
        [0, 1].map((index) =>
          runScenario({ scenario, sut: { mode: 'direct' }, segment: { index, count: 2 }, external }),
        ),
      )
      // Each segment read only its own requests' attempts from the shared upstream.
      for (const [index, part] of parts.entries()) {
        expect(part.journal.length).toBeGreaterThan(0)
        expect(part.journal.every((e) => Number(e.requestId.split('-').pop()) % 2 === index)).toBe(true)
        expect(part.meta.upstreams.primary?.external).toBe(true)
      }
      const merged = mergeRuns(parts.map((data, i) => ({ dir: `seg-${i + 1}`, data })))
      expect(attempts(merged)).toEqual(attempts(whole))
      expect(merged.meta.counts.attempts).toBe(whole.journal.length)
      expect(verdicts(grade(merged))).toEqual(verdicts(grade(whole)))
      // The run neither reset the upstream nor changed its faults: it journaled every attempt, rules intact.
      expect(upstream.journal.total).toBe(whole.journal.length)
      expect(upstream.faults.list()).toHaveLength(2)
    } finally {
      await upstream.close()
    }
  }, 30_000)

  it('merge keeps once an attempt that several segments read, and only at an external upstream', async () => {
    const scenario = loadScenario(SCENARIO)
    const upstream = await served()
    try {
      const short = { ...scenario, phases: [{ name: 'calm', duration: 300 }] }
      const external = { urls: { primary: upstream.url } }
      const parts = await Promise.all(
        [0, 1].map((index) =>
          runScenario({ scenario: short, sut: { mode: 'direct' }, segment: { index, count: 2 }, external }),
        ),
      )
      const sample = parts[0]?.journal[0]
      if (!sample) throw new Error('segment 1 journaled nothing')
      // An attempt whose id is no request of the run (a gateway's own probe, say): both segments read it.
      const probe = withChanges(sample, { requestId: 'gateway-probe', seq: 10_000 })
      const before = parts.reduce((s, p) => s + p.journal.length, 0)
      const withProbe = parts.map((data) => ({ ...data, journal: [...data.journal, probe] }))
      const merged = mergeRuns(withProbe.map((data, i) => ({ dir: `seg-${i + 1}`, data })))
      expect(merged.journal.filter((e) => e.requestId === 'gateway-probe')).toHaveLength(1)
      expect(merged.journal).toHaveLength(before + 1)
      expect(merged.meta.counts.attempts).toBe(before + 1)
      // The same entry at an upstream each segment ran itself is two attempts (two upstreams, each its own seq).
      const local = withProbe.map((data) => ({
        ...data,
        meta: { ...data.meta, upstreams: { primary: { url: '', port: 0, provider: 'openai' } } },
      }))
      const twice = mergeRuns(local.map((data, i) => ({ dir: `seg-${i + 1}`, data })))
      expect(twice.journal.filter((e) => e.requestId === 'gateway-probe')).toHaveLength(2)
    } finally {
      await upstream.close()
    }
  }, 30_000)

  it('refuses an upstream that serves another name or seed, or already served this run', async () => {
    const upstream = await served()
    try {
      const run = { runId: 'r1', seed: 7, segment: undefined }
      await expect(checkExternal({ urls: { fallback: upstream.url } }, run)).rejects.toThrow(
        /serves upstream "primary", not "fallback"/,
      )
      await expect(checkExternal({ urls: { primary: upstream.url } }, { ...run, seed: 8 })).rejects.toThrow(
        /it serves seed 7, this run has seed 8/,
      )
      await expect(checkExternal({ urls: { primary: upstream.url } }, run)).resolves.toBeUndefined()
      await fetch(`${upstream.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-brownout-request-id': 'brn-r1-0' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      }).then((r) => r.text())
      await expect(checkExternal({ urls: { primary: upstream.url } }, run)).rejects.toThrow(/already served brn-r1-0/)
      // Segment 2/2 starts at request 1: another segment's request 0 is no reason to refuse.
      const second = { ...run, segment: { index: 1, count: 2 } }
      await expect(checkExternal({ urls: { primary: upstream.url } }, second)).resolves.toBeUndefined()
    } finally {
      await upstream.close()
    }
  })

  it('with --target, an upstream served elsewhere needs no port of its own', () => {
    const scenario = loadScenario(SCENARIO)
    expect(() => pinUpstreamPorts(scenario, new Map(), true, SCENARIO)).toThrow(/no fixed port/)
    expect(() => pinUpstreamPorts(scenario, new Map(), true, SCENARIO, new Set(['primary']))).not.toThrow()
  })

  it('run --upstream-url gives clear usage errors: nothing there, an unknown name, a bad value', async () => {
    const out = tempDir('brownout-ext-')
    const unreachable = await brownoutCli(['run', SCENARIO, '--direct', '--upstream-url', 'primary=http://127.0.0.1:9'])
    expect(unreachable.code).toBe(3)
    expect(unreachable.stderr).toContain('primary=http://127.0.0.1:9: http://127.0.0.1:9 does not answer')
    const unknown = await brownoutCli([
      'run',
      SCENARIO,
      '--direct',
      '--out',
      out,
      '--upstream-url',
      'primry=http://x:1',
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('has no upstream "primry"')
    expect(unknown.stderr).toContain('did you mean primary?')
    const bad = await brownoutCli(['run', SCENARIO, '--direct', '--upstream-url', 'primary'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('expected NAME=URL')
  }, 30_000)
})
