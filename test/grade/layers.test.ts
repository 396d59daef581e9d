import { describe, expect, it } from 'vitest'
import { grade } from '../../src/grade/grade.js'
import { attemptTree, treeLines } from '../../src/grade/layers.js'
import { renderConsole } from '../../src/report/console.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { att, failed, fault503, rec, run } from './builders.js'

function check(data: ReturnType<typeof run>, key: string) {
  const c = grade(data).checks.find((x) => x.key === key)
  if (!c) throw new Error(`no check ${key}`)
  return { ...c, ids: c.examples.map((e) => e.id) }
}

const CLIENT = { client: { name: 'openai-sdk', command: ['node', 'openai-sdk.mjs'] } }

/** One request's attempts: `sdk` SDK attempts (x-stainless-retry-count 0…), each `gateway` upstream attempts. */
function stacked(id: string, sdk: number, gateway: number, startMs = 0) {
  const out = []
  let n = 0
  for (let s = 0; s < sdk; s++)
    for (let g = 0; g < gateway; g++) {
      n++
      out.push(fault503(id, n, startMs + s * 500 + g * 100, { stainlessRetryCount: s }))
    }
  return out
}

describe('attempt trees', () => {
  it('groups a request’s attempts by the SDK’s retry number, and names what the gateway did', () => {
    const attempts = [
      fault503('r', 1, 0, { stainlessRetryCount: 0 }),
      fault503('r', 2, 100, { stainlessRetryCount: 0 }),
      fault503('r', 3, 200, { stainlessRetryCount: 0, upstream: 'fallback' }),
      att('r', 4, 900, { stainlessRetryCount: 1 }),
    ]
    const tree = attemptTree('r', attempts, attempts[0]?.receivedAt ?? 0)
    expect(tree.sdk.map((s) => [s.retry, s.attempts.map((a) => `${a.kind} ${a.upstream} ${a.status}`)])).toEqual([
      [0, ['first primary 503', 'retry primary 503', 'failover fallback 503']],
      [1, ['first primary 200']],
    ])
    expect(treeLines(tree)).toEqual([
      'r: SDK 2 (gateway 3+1) = 4 upstream attempts',
      '  SDK attempt 0',
      '    primary @0ms 503 [error]',
      '    retry → primary @100ms 503 [error]',
      '    failover → fallback @200ms 503 [error]',
      '  SDK attempt 1',
      '    primary @900ms 200',
    ])
  })

  it('a retry number that starts over is the client asking again (a re-ask)', () => {
    const attempts = [0, 1, 0, 1].map((n, i) => fault503('r', i + 1, i * 100, { stainlessRetryCount: n }))
    const tree = attemptTree('r', attempts, 0)
    expect(tree.sdk.map((s) => [s.ask, s.retry])).toEqual([
      [1, 0],
      [1, 1],
      [2, 0],
      [2, 1],
    ])
    expect(treeLines(tree)[5]).toBe('  client ask 2, SDK attempt 0')
  })

  it('an attempt without the header stays with the SDK attempt before it', () => {
    const attempts = [
      fault503('r', 1, 0, { stainlessRetryCount: 1 }),
      fault503('r', 2, 100, { stainlessRetryCount: null }),
    ]
    expect(attemptTree('r', attempts, 0).sdk.map((s) => [s.retry, s.attempts.length])).toEqual([[1, 2]])
  })
})

describe('retries.stacked_amplification', () => {
  it('fails SDK 3 × gateway 3 with the product split by layer, and the report shows the tree', () => {
    const data = run(
      [failed('a', 503), failed('b', 503)],
      [...stacked('a', 3, 3), ...stacked('b', 3, 3, 2000)],
      {},
      {
        sut: { mode: 'sut', url: 'http://gateway', ...CLIENT },
      },
    )
    const c = check(data, 'retries.stacked_amplification')
    expect(c).toMatchObject({ verdict: 'fail', value: 9, threshold: '<= 5', source: 'default', failsRun: true })
    expect(c.evidence).toContain('worst request: SDK 3 × gateway 3 = 9 upstream attempts')
    expect(c.evidence).toContain('per request SDK 3 × gateway 3 = 9 upstream attempts (2 requests)')
    const result = grade(data)
    expect(result.layers).toMatchObject({ attribution: 'header', sdkPerRequest: 3, gatewayPerSdk: 3 })
    const console = renderConsole(result)
    expect(console).toContain('attempt trees (SDK attempts told apart by x-stainless-retry-count)')
    expect(console).toContain('SDK attempt 2')
    expect(renderMarkdown([result])).toContain('  a: SDK 3 × gateway 3 = 9 upstream attempts')
  })

  it('passes when one layer does not multiply: SDK 1 × gateway 3, or SDK 3 × gateway 1', () => {
    for (const [sdk, gateway] of [
      [1, 3],
      [3, 1],
    ] as const) {
      const data = run(
        [failed('a', 503)],
        stacked('a', sdk, gateway),
        {},
        { sut: { mode: 'sut', url: 'x', ...CLIENT } },
      )
      expect(check(data, 'retries.stacked_amplification')).toMatchObject({ verdict: 'pass', value: 3 })
    }
  })

  it('has no evidence without a client layer, and no tree is reported', () => {
    const data = run([failed('a', 503)], [fault503('a', 1, 0), fault503('a', 2, 100)])
    expect(check(data, 'retries.stacked_amplification')).toMatchObject({ verdict: 'no-evidence', failsRun: false })
    expect(grade(data).layers).toBeUndefined()
  })

  it('says so when the gateway dropped x-stainless-retry-count: every attempt counts as the gateway’s', () => {
    const attempts = stacked('a', 2, 2).map((e) => ({ ...e, stainlessRetryCount: null }))
    const data = run([failed('a', 503)], attempts, {}, { sut: { mode: 'sut', url: 'x', ...CLIENT } })
    const c = check(data, 'retries.stacked_amplification')
    expect(c).toMatchObject({ verdict: 'pass', value: 4 })
    expect(c.evidence).toContain('the SDK layer cannot be told apart')
  })
})

describe('retries.transient_retried with an SDK in front', () => {
  it('says which retries were only the SDK’s: a gateway that passes the 503 on is not credited with them', () => {
    const sut = { sut: { mode: 'sut' as const, url: 'x', ...CLIENT } }
    const sdkOnly = check(run([failed('a', 503)], stacked('a', 3, 1), {}, sut), 'retries.transient_retried')
    expect(sdkOnly).toMatchObject({ verdict: 'pass', value: 1 })
    expect(sdkOnly.evidence).toBe(
      "1 of 1 transient failures retried (1 only by the client's SDK, x-stainless-retry-count: the gateway passed the failure on)",
    )
    const both = check(run([failed('a', 503)], stacked('a', 3, 2), {}, sut), 'retries.transient_retried')
    expect(both).toMatchObject({ verdict: 'pass', value: 1 })
    expect(both.evidence).toBe('1 of 1 transient failures retried')
  })
})

/** Requests sent every `everyMs` from `startMs`, each reaching the upstream `lagMs` later. */
function admitted(n: number, everyMs: number, startMs = 0, lagMs = 2) {
  const ids = Array.from({ length: n }, (_, i) => `r${startMs + i * everyMs}`)
  return {
    records: ids.map((id, i) => rec(id, { intendedAt: startMs + i * everyMs })),
    journal: ids.map((id, i) => att(id, 1, startMs + i * everyMs + lagMs)),
  }
}

const LIMITED = { sut_limits: { requests: 5, per: '1s' } }

describe('limits.over_admitted', () => {
  it('passes a limiter that admitted at most its limit in any window, fails one that admitted more', () => {
    // 5 at 0–400 ms, the next 5 from 1000 ms: never more than 5 within a second.
    const a = admitted(5, 100)
    const b = admitted(5, 100, 1000)
    const ok = run([...a.records, ...b.records], [...a.journal, ...b.journal], LIMITED)
    expect(check(ok, 'limits.over_admitted')).toMatchObject({ verdict: 'pass', value: 0 })
    const c = admitted(7, 100)
    const over = run(c.records, c.journal, LIMITED)
    expect(check(over, 'limits.over_admitted')).toMatchObject({ verdict: 'fail', value: 2, ids: ['r500', 'r600'] })
  })

  it('does not accuse a limiter of the way to the upstream: an admission counts from when it was sent', () => {
    // The first request reached the upstream 80 ms after it was sent (a busy machine): its slot was free again
    // 1 s after the gateway admitted it, which was no later than the upstream saw it.
    const a = admitted(5, 50, 0, 80)
    const b = admitted(1, 100, 1005, 1)
    const data = run([...a.records, ...b.records], [...a.journal, ...b.journal], LIMITED)
    expect(check(data, 'limits.over_admitted')).toMatchObject({ verdict: 'pass', value: 0 })
  })

  it('counts a budget over the whole run', () => {
    const a = admitted(12, 10)
    const data = run(a.records, a.journal, { sut_limits: { budget: 10 } })
    const c = check(data, 'limits.over_admitted')
    expect(c).toMatchObject({ verdict: 'fail', value: 2 })
    expect(c.evidence).toBe('12 admitted against a budget of 10: 2 beyond it')
  })

  it('has no evidence when the scenario states no limits', () => {
    const a = admitted(3, 10)
    expect(check(run(a.records, a.journal), 'limits.over_admitted')).toMatchObject({ verdict: 'no-evidence' })
  })

  it('has no evidence when the SUT profile never took the stated limit: its limiter is not the one judged', () => {
    // The real-gateway scorecards: nginx, HAProxy, Caddy and Portkey profiles without a limiter "admitted 100 over".
    const c = admitted(7, 100)
    const sut = { sut: { mode: 'sut' as const, url: 'x', name: 'nginx', limitsApplied: false } }
    for (const key of ['limits.over_admitted', 'limits.refusals_usable']) {
      const result = check(run(c.records, c.journal, LIMITED, sut), key)
      expect(result.verdict).toBe('no-evidence')
      expect(result.evidence).toMatch(/profile nginx does not take the scenario's limit/)
    }
    const taken = { sut: { ...sut.sut, limitsApplied: true } }
    expect(check(run(c.records, c.journal, LIMITED, taken), 'limits.over_admitted').verdict).toBe('fail')
  })
})

describe('limits.refusals_usable', () => {
  const refused = (id: string, atMs: number, headers: Record<string, string>) =>
    failed(id, 429, { intendedAt: atMs, latencyMs: 2, headers })

  it('a Retry-After no earlier than a slot frees and no longer than the window is usable', () => {
    const a = admitted(5, 100)
    const good = run(
      [...a.records, refused('x', 500, { 'retry-after': '1', 'retry-after-ms': '500' })],
      a.journal,
      LIMITED,
    )
    expect(check(good, 'limits.refusals_usable')).toMatchObject({ verdict: 'pass', value: 1 })
  })

  it("allows a gateway's whole-millisecond clock 1 ms, and no more", () => {
    // Five admitted at 0–400 ms, a window of 1 s: for a refusal answered at 502 ms a slot frees at 498 ms at the soonest.
    const a = admitted(5, 100)
    const grained = run([...a.records, refused('x', 500, { 'retry-after-ms': '497' })], a.journal, LIMITED)
    expect(check(grained, 'limits.refusals_usable')).toMatchObject({ verdict: 'pass', value: 1 })
    const early = run([...a.records, refused('x', 500, { 'retry-after-ms': '496' })], a.journal, LIMITED)
    expect(check(early, 'limits.refusals_usable')).toMatchObject({ verdict: 'fail', value: 0 })
  })

  it('no Retry-After, one earlier than a slot frees, or an HTML page is not', () => {
    const a = admitted(5, 100)
    const bad = run(
      [
        ...a.records,
        refused('none', 500, {}),
        refused('early', 500, { 'retry-after-ms': '100' }),
        refused('html', 500, { 'retry-after': '1' }),
      ].map((r) =>
        r.id === 'html' ? { ...r, errorBody: { wellFormed: false, type: null, contentType: 'text/html' } } : r,
      ),
      a.journal,
      LIMITED,
    )
    const c = check(bad, 'limits.refusals_usable')
    expect(c).toMatchObject({ verdict: 'fail', value: 0, ids: ['none', 'early', 'html'] })
    expect(c.evidence).toContain('no Retry-After')
  })

  it('a spent budget’s refusal must not ask for a retry', () => {
    const a = admitted(3, 10)
    const data = run(
      [...a.records, refused('wait', 100, { 'retry-after': '1' }), refused('final', 110, {})],
      a.journal,
      { sut_limits: { budget: 3 } },
    )
    expect(check(data, 'limits.refusals_usable')).toMatchObject({ value: 0.5, ids: ['wait'] })
  })
})
