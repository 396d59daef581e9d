import { describe, expect, it } from 'vitest'
import { BrownoutError } from '../../src/errors.js'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { loadSutProfile } from '../../src/sut/profile.js'
import { brownoutCli, tempDir } from '../helpers.js'

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname

function problems(load: () => unknown): string[] {
  try {
    load()
  } catch (err) {
    expect(err).toBeInstanceOf(BrownoutError)
    expect((err as BrownoutError).code).toBe('INVALID_CONFIG')
    return (err as BrownoutError).problems
  }
  throw new Error('expected the file to be rejected')
}

const cases: Array<[string, string]> = [
  ['err-yaml.yaml', ':4:1: YAML syntax: Flow map in block collection must be sufficiently indented'],
  ['err-unknown-key.yaml', ':3:1: unknown key "phses" (did you mean "phases"?)'],
  ['err-type.yaml', ':2:7: seed: expected number, got string "forty-two"'],
  [
    'err-fault.yaml',
    ':5:24: upstreams.primary.faults.0.fault.type: unknown type "stream-cutt" (did you mean "stream-cut"?)',
  ],
  ['err-phase.yaml', ':5:25: upstreams.primary.faults.0.when.during: "outage" names no phase (did you mean "outge"?'],
  ['err-ports.yaml', ':4:22: upstreams.secondary.port: port 19101 is also used by upstream "primary"'],
  ['err-model.yaml', ':4:3: load: choose one of rate, stages or concurrency'],
  [
    'err-expect.yaml',
    ':7:3: expect.retries.transient_retired: unknown check "retries.transient_retired" (did you mean "retries.transient_retried"?)',
  ],
]

describe('scenario validation: one fixture per kind of mistake', () => {
  it.each(cases)('%s is reported at its place with what is wrong', (name, expected) => {
    const file = fixture(`scenarios/${name}`)
    const found = problems(() => loadScenario(file))
    expect(found).toHaveLength(1)
    expect(found[0]).toContain(`${file}${expected}`)
  })

  it('reports a bad duration and a bad rate together', () => {
    const file = fixture('scenarios/err-duration.yaml')
    expect(problems(() => loadScenario(file))).toEqual([
      `${file}:3:37: phases.0.duration: "10 seconds" is not a duration; write it like 250ms, 1.5s, 2m or a number of milliseconds`,
      `${file}:4:15: load.rate: "10 per second" is not a rate; write it like 10/s, 600/m or a number per second`,
    ])
  })

  it('loads a good scenario with defaults applied', () => {
    const s = loadScenario(fixture('scenarios/short.yaml'))
    expect(s.load.rate).toBe(10)
    expect(s.phases[0]?.duration).toBe(2000)
    expect(s.upstreams.primary?.port).toBe(0)
  })

  it('reports SUT profile templates that name nothing the scenario has', () => {
    const file = fixture('sut/bad-template.sut.yaml')
    const found = problems(() => loadSutProfile(file, ['primary']))
    expect(found).toEqual([
      `${file}:3:36: env.UPSTREAM: {{upstreams.primry.url}} names nothing (the scenario's upstreams are: primary)`,
      `${file}:3:71: env.OTHER: {{portt}} names nothing (use {{port}}, {{upstreams.<name>.url}}, {{upstreams.<name>.port}}, {{sut_limits.rate}} or {{sut_limits.budget}})`,
      `${file}:5:34: api_headers.anthropic.messages.x-route: {{upstreams.fallback.url}} names nothing (the scenario's upstreams are: primary)`,
    ])
  })

  it('validates every scenario file in a folder given instead of a file (it answered EISDIR)', async () => {
    const dir = new URL('../../scenarios/', import.meta.url).pathname
    const r = await brownoutCli(['validate', dir])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/transient-503\.yaml: ok/)
    expect(r.stdout.trim().split('\n').length).toBeGreaterThan(24)
    const empty = tempDir('brownout-empty-')
    const none = await brownoutCli(['validate', empty])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('is a folder with no .yaml or .yml file in it')
  })

  it('suite takes --only repeated as users write it (it died with "only.split is not a function")', async () => {
    const r = await brownoutCli(['suite', '--only', 'nosuch-a', '--only', 'nosuch-b'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--only nosuch-a,nosuch-b matches no scenario')
  })

  it('every scenario in the catalogue validates', async () => {
    const { readdirSync } = await import('node:fs')
    const dir = new URL('../../scenarios/', import.meta.url).pathname
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'))
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) expect(() => loadScenario(`${dir}${f}`)).not.toThrow()
  })
})

describe('--fast', () => {
  it('takes a bare --fast before another flag as the default factor, and refuses a factor outside (0, 1]', async () => {
    const scenario = new URL('../../scenarios/baseline.yaml', import.meta.url).pathname
    const out = tempDir('brownout-fast-')
    // A bare --fast used to become NaN when another flag followed, and NaN phases sent nothing.
    const r = await brownoutCli(['run', scenario, '--direct', '--fast', '--out', out])
    expect(r.stdout).toMatch(/--fast 0\.2\)/)
    expect(r.stdout).toMatch(/ [1-9]\d* requests \(ok/)
    for (const bad of ['2', 'abc', '0']) {
      const refused = await brownoutCli(['run', scenario, '--direct', '--fast', bad])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain(`--fast ${bad}: expected a factor above 0 and at most 1`)
    }
  }, 30_000)

  it('shrinks phases, stages and during windows by one factor, leaving latencies and fault parameters alone', async () => {
    const { scaleScenario } = await import('../../src/scenario/load.js')
    const s = loadScenario(fixture('scenarios/two-upstreams.yaml'))
    const withWindow = {
      ...s,
      upstreams: {
        ...s.upstreams,
        secondary: {
          ...s.upstreams.secondary,
          faults: [
            { when: { during: { from: 1000, to: 5000 } }, fault: { type: 'error', status: 503, retry_after: 2000 } },
          ],
        },
      },
      load: { ...s.load, stages: [{ duration: 10_000, rate: 5 }] },
    } as typeof s
    const fast = scaleScenario(withWindow, 0.1)
    expect(fast.phases.map((p) => p.duration)).toEqual([50, 100])
    expect(fast.load.stages?.[0]?.duration).toBe(1000)
    expect(fast.upstreams.secondary?.faults[0]?.when.during).toEqual({ from: 100, to: 500 })
    expect(fast.upstreams.secondary?.faults[0]?.fault).toEqual({ type: 'error', status: 503, retry_after: 2000 })
  })
})
