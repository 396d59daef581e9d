import { describe, expect, it } from 'vitest'
import { diffExitCode, diffSides } from '../../src/report/diff.js'
import type { DiffCell, DiffCheck, DiffSide } from '../../src/report/diff-input.js'
import { judgeMove, twoProportionZ, zeroTolerance } from '../../src/report/diff-noise.js'

function check(key: string, value: number | null, over: Partial<DiffCheck> = {}): DiffCheck {
  return {
    key,
    verdict: 'pass',
    required: true,
    failsRun: false,
    value,
    unit: 'ratio',
    threshold: '>= 0.99',
    evidence: '',
    ...over,
  }
}

const rate = (key: string, x: number, n: number, verdict: DiffCheck['verdict'], threshold = '>= 0.99') =>
  check(key, x / n, { verdict, failsRun: verdict === 'fail', threshold, evidence: `${x} of ${n} succeeded` })

function side(checks: DiffCheck[], over: Partial<DiffCell> = {}, kind: DiffSide['kind'] = 'run'): DiffSide {
  const cell: DiffCell = {
    sut: null,
    scenario: 's',
    passed: true,
    complete: true,
    harnessLimited: false,
    sutFailure: null,
    checks,
    ...over,
  }
  return { dir: 'x', kind, cells: [cell] }
}

describe('noise', () => {
  it('a rate from 20/20 to 0/20 is far beyond noise; 100/100 to 98/100 is not', () => {
    expect(Math.abs(twoProportionZ({ x: 20, n: 20 }, { x: 0, n: 20 }))).toBeGreaterThan(6)
    expect(judgeMove(rate('r', 100, 100, 'pass'), rate('r', 98, 100, 'fail'))?.beyondNoise).toBe(false)
  })

  it('a latency moves beyond noise only past 25 % of the smaller value and 50 ms, either way; worse is away from the threshold', () => {
    const ms = (v: number) => check('client.latency', v, { unit: 'ms', threshold: 'p(95) < 2s', evidence: '40 ok' })
    expect(judgeMove(ms(200), ms(240))?.beyondNoise).toBe(false)
    expect(judgeMove(ms(200), ms(260))).toMatchObject({ beyondNoise: true, direction: 'worse' })
    expect(judgeMove(ms(260), ms(200))).toMatchObject({ beyondNoise: true, direction: 'better' })
  })

  it('a count with no sample size is judged by a Poisson test: 24 → 47 is noise, 24 → 80 is not', () => {
    const fired = (v: number) =>
      check('faults.fired', v, { unit: 'count', threshold: '> 0', evidence: `${v} attempts faulted` })
    expect(judgeMove(fired(24), fired(47))?.beyondNoise).toBe(false)
    expect(judgeMove(fired(24), fired(80))).toMatchObject({ beyondNoise: true, direction: 'better' })
  })

  it('thresholds that allow no single bad case have no noise band', () => {
    expect(zeroTolerance('== 0', 'count')).toBe(true)
    expect(zeroTolerance('>= 1', 'ratio')).toBe(true)
    expect(zeroTolerance('>= 0.99', 'ratio')).toBe(false)
    expect(zeroTolerance('<= 5', 'count')).toBe(false)
  })
})

describe('comparing two sides', () => {
  it('a flip whose value moved within noise is reported apart, never as a regression', () => {
    const d = diffSides(side([rate('r', 100, 100, 'pass')]), side([rate('r', 98, 100, 'fail')]))
    expect(d.checks.map((c) => c.kind)).toEqual(['flipped-within-noise'])
    expect(diffExitCode(d)).toBe(0)
  })

  it('one hang where none is allowed is a regression even though one in 100 is within noise', () => {
    const hung = (x: number, verdict: DiffCheck['verdict']) =>
      check('client.hung', x, {
        unit: 'count',
        threshold: '== 0',
        verdict,
        failsRun: verdict === 'fail',
        evidence: `${x} of 100 hit the client deadline`,
      })
    const d = diffSides(side([hung(0, 'pass')]), side([hung(1, 'fail')]))
    expect(d.checks.map((c) => c.kind)).toEqual(['regressed'])
    expect(diffExitCode(d)).toBe(1)
  })

  it('an advisory check that flips is listed, and does not fail the diff', () => {
    const a = check('retries.jitter', 0.3, { required: false, threshold: '>= 0.05', unit: 'x' })
    const b = check('retries.jitter', 0.01, { required: false, verdict: 'fail', threshold: '>= 0.05', unit: 'x' })
    const d = diffSides(side([a]), side([b]))
    expect(d.checks.map((c) => c.kind)).toEqual(['advisory'])
    expect(diffExitCode(d)).toBe(0)
  })

  it('a run that did not complete in B regresses even when no check says so', () => {
    const d = diffSides(side([]), side([], { complete: false, passed: false }))
    expect(d.runs).toEqual([{ kind: 'regressed', sut: null, scenario: 's', a: 'completed', b: 'did not complete' }])
    expect(diffExitCode(d)).toBe(1)
  })

  it('regressions only where a run was harness-limited exit 4, not 1', () => {
    const d = diffSides(side([rate('r', 20, 20, 'pass')]), side([rate('r', 0, 20, 'fail')], { harnessLimited: true }))
    expect(d.checks.map((c) => c.kind)).toEqual(['regressed'])
    expect(diffExitCode(d)).toBe(4)
  })

  it('checks and scenarios on one side only are listed as appeared, disappeared, only in A or B', () => {
    const a = side([check('old.check', 1)])
    const b = side([check('new.check', 1)])
    b.cells.push({ ...(b.cells[0] as DiffCell), scenario: 'extra' })
    const d = diffSides(a, b)
    expect(d.checks.map((c) => [c.kind, c.key])).toEqual([
      ['disappeared', 'old.check'],
      ['appeared', 'new.check'],
    ])
    expect(d.onlyInB).toEqual([{ sut: null, scenario: 'extra' }])
  })

  it('scorecards with several SUTs compare by name and never pair different ones', () => {
    const card = (sut: string, verdict: DiffCheck['verdict'], x: number) =>
      ({ ...side([rate('r', x, 20, verdict)], { sut }, 'scorecard').cells[0] }) as DiffCell
    const a: DiffSide = {
      dir: 'a',
      kind: 'scorecard',
      cells: [card('naive', 'fail', 0), card('resilient', 'pass', 20)],
    }
    const b: DiffSide = { dir: 'b', kind: 'scorecard', cells: [card('naive', 'pass', 20), card('other', 'fail', 0)] }
    const d = diffSides(a, b)
    expect(d.pairedSuts).toBeNull()
    expect(d.checks.map((c) => [c.kind, c.sut])).toEqual([['fixed', 'naive']])
    expect(d.onlyInA).toEqual([{ sut: 'resilient', scenario: 's' }])
    expect(d.onlyInB).toEqual([{ sut: 'other', scenario: 's' }])
  })
})
