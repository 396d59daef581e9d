import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { grade } from '../../src/grade/grade.js'
import { firstArrivals } from '../../src/load/schedule.js'
import { reproBundles } from '../../src/repro/bundle.js'
import { scenarioYaml } from '../../src/repro/write.js'
import { scenarioSchema } from '../../src/scenario/schema.js'
import { att, failed, fault503, rec, run } from './builders.js'

function check(data: ReturnType<typeof run>, key: string) {
  const c = grade(data).checks.find((x) => x.key === key)
  if (!c) throw new Error(`no check ${key}`)
  return c
}

describe('breaker.probes: attempts in flight at a down upstream', () => {
  const outage = {
    upstreams: { primary: { faults: [{ when: { during: 'outage' }, fault: { type: 'error', status: 503 } }] } },
    phases: [
      { name: 'outage', duration: 2000 },
      { name: 'after', duration: 1000 },
    ],
  }
  const slow = { durationMs: 300 }

  it('one probe at a time in the second half of the outage passes; a burst fails', () => {
    const early = [0, 100, 200, 300, 400].map((t, i) => fault503(`e${i}`, 1, t, slow))
    const probes = [fault503('p1', 1, 1100, slow), fault503('p2', 1, 1600, slow)]
    const records = [...early, ...probes].map((e) => failed(e.requestId, 503))
    const disciplined = run(records, [...early, ...probes], outage)
    expect(check(disciplined, 'breaker.probes')).toMatchObject({ verdict: 'pass', value: 1, required: true })

    const burst = [1100, 1150, 1200, 1250].map((t, i) => fault503(`b${i}`, 1, t, slow))
    const stormy = run(
      [...early, ...burst].map((e) => failed(e.requestId, 503)),
      [...early, ...burst],
      outage,
    )
    expect(check(stormy, 'breaker.probes')).toMatchObject({ verdict: 'fail', value: 4 })
    expect(check(stormy, 'breaker.probes').examples.map((e) => e.id)).toEqual(['b0', 'b1', 'b2'])
  })

  it('no evidence when the failures are per request (a first attempt that fails is not an outage)', () => {
    const perRequest = {
      ...outage,
      upstreams: { primary: { faults: [{ when: { attempt: 1 }, fault: { type: 'error', status: 503 } }] } },
    }
    const journal = [0, 1100, 1150, 1200, 1250, 1300].map((t, i) => fault503(`r${i}`, 1, t, slow))
    const data = run(
      journal.map((e) => rec(e.requestId)),
      journal,
      perRequest,
    )
    expect(check(data, 'breaker.probes').verdict).toBe('no-evidence')
  })

  it('an upstream that answered one attempt of the phase was not down', () => {
    const journal = [...[1100, 1150, 1200, 1250].map((t, i) => fault503(`b${i}`, 1, t, slow)), att('ok', 1, 1300)]
    const data = run(
      journal.map((e) => rec(e.requestId)),
      journal,
      outage,
    )
    expect(check(data, 'breaker.probes').verdict).toBe('no-evidence')
  })
})

describe('retries.amplification is graded by default', () => {
  it('fails above 3 attempts per request without the scenario asking', () => {
    const journal = [1, 2, 3, 4].map((n) => fault503('a', n, n * 10))
    const c = check(run([failed('a', 503)], journal), 'retries.amplification')
    expect(c).toMatchObject({ verdict: 'fail', value: 4, required: true, source: 'default', threshold: '<= 3' })
  })
})

describe('load.requests and the request_id matcher', () => {
  it('firstArrivals cuts a schedule short, or carries it on at the last rate', () => {
    const seg = [{ startMs: 0, endMs: 1000, fromRate: 10, toRate: 10 }]
    expect(firstArrivals(seg, 3)).toEqual([0, 100, 200])
    const more = firstArrivals(seg, 12)
    expect(more).toHaveLength(12)
    expect(more[11]).toBeCloseTo(1100)
    expect(firstArrivals([{ startMs: 0, endMs: 1000, fromRate: 0, toRate: 0 }], 2)).toEqual([0, 1000])
  })

  it('load.requests is a whole number above 0', () => {
    const schema = scenarioSchema.shape.load
    expect(schema.parse({ requests: 1 }).requests).toBe(1)
    expect(schema.safeParse({ requests: 0 }).success).toBe(false)
  })
})

describe('repro bundles', () => {
  const scenario = {
    name: 'bundle-me',
    upstreams: {
      primary: {
        faults: [
          { name: 'first', when: { attempt: 1 }, fault: { type: 'error', status: 503 } },
          { when: { probability: 0.5 }, fault: { type: 'error', status: 500 } },
        ],
      },
    },
    load: { rate: '10/s' },
    expect: { 'retries.transient_retried': '>= 0.99' },
  }

  it('narrow the scenario to the failing requests: N requests, one rule per faulted attempt, by request id', () => {
    // a and c met the first rule and were not retried; b was retried and succeeded.
    const journal = [
      fault503('brn-r-0', 1, 0, { rule: 'first' }),
      fault503('brn-r-1', 1, 100, { rule: 'first' }),
      att('brn-r-1', 2, 200),
      fault503('brn-r-2', 1, 300, { rule: 'first' }),
    ]
    const records = [failed('brn-r-0', 503), rec('brn-r-1', { n: 1 }), failed('brn-r-2', 503, { n: 2 })]
    const data = run(records, journal, scenario)
    const result = grade(data)
    expect(result.checks.find((c) => c.key === 'retries.transient_retried')?.verdict).toBe('fail')
    const bundles = reproBundles(data, result)
    const bundle = bundles.find((b) => b.check === 'retries.transient_retried')
    if (!bundle) throw new Error('no bundle')
    expect(bundle.dir).toBe('repro/bundle-me/retries.transient_retried')
    expect(bundle.scenario.load.requests).toBe(2)
    const rules = bundle.scenario.upstreams.primary?.faults ?? []
    expect(rules.map((r) => [r.name, r.when.request_id, r.when.attempt])).toEqual([
      ['first', expect.stringMatching(/-0$/), 1],
      ['first', expect.stringMatching(/-1$/), 1],
    ])
    expect(rules[0]?.faults).toEqual([expect.objectContaining({ type: 'error', status: 503 })])
    expect(bundle.scenario.expect).toEqual({ 'retries.transient_retried': '>= 0.99' })
    expect(bundle.files['journal.jsonl'].trim().split('\n')).toHaveLength(2)
    expect(bundle.files['curl.sh']).toContain('x-brownout-request-id')
    expect(bundle.files['README.md']).toContain('| brn-r-2 |')

    // The YAML reads back as the same scenario.
    expect(scenarioSchema.parse(parse(scenarioYaml(bundle)))).toEqual(bundle.scenario)
  })

  it('a check of the whole load (breaker.probes) keeps the rules and cuts the run after its last example', () => {
    const outage = {
      name: 'probe-me',
      upstreams: { primary: { faults: [{ when: { during: 'outage' }, fault: { type: 'error', status: 503 } }] } },
      phases: [{ name: 'outage', duration: 2000 }],
    }
    const slow = { durationMs: 300 }
    const early = [0, 100, 200, 300, 400].map((t, i) => fault503(`brn-q-${i}`, 1, t, slow))
    const burst = [1100, 1150, 1200].map((t, i) => fault503(`brn-q-${5 + i}`, 1, t, slow))
    const records = [...early, ...burst].map((e, n) => failed(e.requestId, 503, { n }))
    const data = run(records, [...early, ...burst], outage)
    const bundle = reproBundles(data, grade(data)).find((b) => b.check === 'breaker.probes')
    if (!bundle) throw new Error('no bundle')
    expect(bundle.scenario.load.requests).toBe(8)
    expect(bundle.scenario.upstreams.primary?.faults).toEqual(data.scenario.upstreams.primary?.faults)
    expect(bundle.files['README.md']).toContain('judges the load as a whole')
    expect(bundle.files['curl.sh']).toContain('brn-q-5')
  })
})
