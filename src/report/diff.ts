import type { DiffCell, DiffCheck, DiffSide } from './diff-input.js'
import { judgeMove, type ValueMove, zeroTolerance } from './diff-noise.js'

/**
 * What happened to one check between A and B:
 * - regressed / fixed: pass → fail / fail → pass on a check that fails the run, the value beyond noise (or the
 *   threshold allows no single bad case);
 * - flipped-within-noise: the verdict flipped but the value moved no more than the same SUT varies by;
 * - advisory: the verdict flipped on a check that never fails a run;
 * - evidence: one side measured nothing (no evidence) where the other judged;
 * - moved: same verdict, the value moved beyond noise;
 * - appeared / disappeared: the check exists on one side only.
 */
export type ChangeKind =
  | 'regressed'
  | 'fixed'
  | 'flipped-within-noise'
  | 'advisory'
  | 'evidence'
  | 'moved'
  | 'appeared'
  | 'disappeared'

export interface CheckChange {
  kind: ChangeKind
  sut: string | null
  scenario: string
  key: string
  a: DiffCheck | null
  b: DiffCheck | null
  move: ValueMove | null
  /** Either run was harness-limited: brownout's own lag may explain the change. */
  harnessLimited: boolean
}

/** A run that completed in A and not in B (or the reverse), or whose SUT failed on one side only. */
export interface RunChange {
  kind: 'regressed' | 'fixed'
  sut: string | null
  scenario: string
  a: string
  b: string
}

export interface DiffResult {
  schema: 'brownout.diff/1'
  kind: 'run' | 'scorecard'
  a: { dir: string; cells: number }
  b: { dir: string; cells: number }
  /** SUTs compared under different names (a scorecard of one SUT each, renamed between A and B). */
  pairedSuts: { a: string; b: string } | null
  runs: RunChange[]
  checks: CheckChange[]
  onlyInA: Array<{ sut: string | null; scenario: string }>
  onlyInB: Array<{ sut: string | null; scenario: string }>
  summary: Record<ChangeKind | 'runsRegressed' | 'runsFixed', number>
}

const cellKey = (sut: string | null, scenario: string) => `${sut ?? ''}\u0000${scenario}`

/** A run's state in words: what a check cannot say (did it complete, did the SUT survive). */
function runState(c: DiffCell): string {
  if (c.sutFailure) return c.sutFailure
  return c.complete ? 'completed' : 'did not complete'
}

function flipKind(a: DiffCheck, b: DiffCheck, move: ValueMove | null): ChangeKind {
  const worse = a.verdict === 'pass'
  const gating = worse ? b.failsRun : a.failsRun
  if (!gating) return 'advisory'
  const noNoiseBand = zeroTolerance(worse ? b.threshold : a.threshold, b.unit)
  if (!noNoiseBand && move && !move.beyondNoise) return 'flipped-within-noise'
  return worse ? 'regressed' : 'fixed'
}

function compareCheck(a: DiffCheck, b: DiffCheck): { kind: ChangeKind | null; move: ValueMove | null } {
  const move = judgeMove(a, b)
  if (a.verdict === b.verdict) return { kind: move?.beyondNoise ? 'moved' : null, move }
  if (a.verdict === 'no-evidence' || b.verdict === 'no-evidence') return { kind: 'evidence', move }
  return { kind: flipKind(a, b, move), move }
}

function compareCells(a: DiffCell, b: DiffCell): { checks: CheckChange[]; run: RunChange | null } {
  const where = { sut: b.sut, scenario: b.scenario, harnessLimited: a.harnessLimited || b.harnessLimited }
  const inA = new Map(a.checks.map((c) => [c.key, c]))
  const inB = new Map(b.checks.map((c) => [c.key, c]))
  const checks: CheckChange[] = []
  for (const [key, ca] of inA) {
    const cb = inB.get(key)
    if (!cb) {
      checks.push({ kind: 'disappeared', ...where, key, a: ca, b: null, move: null })
      continue
    }
    const { kind, move } = compareCheck(ca, cb)
    if (kind) checks.push({ kind, ...where, key, a: ca, b: cb, move })
  }
  for (const [key, cb] of inB)
    if (!inA.has(key)) checks.push({ kind: 'appeared', ...where, key, a: null, b: cb, move: null })
  const ranA = a.complete && !a.sutFailure
  const ranB = b.complete && !b.sutFailure
  const run: RunChange | null =
    ranA === ranB
      ? null
      : { kind: ranA ? 'regressed' : 'fixed', sut: b.sut, scenario: b.scenario, a: runState(a), b: runState(b) }
  return { checks, run }
}

/** A scorecard of one SUT on each side compares them even when the SUT was renamed (old and new version). */
function pairing(a: DiffSide, b: DiffSide): { a: string; b: string } | null {
  const suts = (s: DiffSide) => [...new Set(s.cells.map((c) => c.sut))]
  const [sa, sb] = [suts(a), suts(b)]
  if (sa.length !== 1 || sb.length !== 1 || sa[0] === sb[0] || !sa[0] || !sb[0]) return null
  return { a: sa[0], b: sb[0] }
}

/** Compares two sides: per (scenario, check) for runs, per (SUT, scenario, check) for scorecards. Pure. */
export function diffSides(a: DiffSide, b: DiffSide): DiffResult {
  const paired = pairing(a, b)
  const sutOfA = (sut: string | null) => (paired && sut === paired.a ? paired.b : sut)
  const cellsA = new Map(a.cells.map((c) => [cellKey(sutOfA(c.sut), c.scenario), c]))
  const cellsB = new Map(b.cells.map((c) => [cellKey(c.sut, c.scenario), c]))
  const checks: CheckChange[] = []
  const runs: RunChange[] = []
  for (const [key, cb] of cellsB) {
    const ca = cellsA.get(key)
    if (!ca) continue
    const d = compareCells(ca, cb)
    checks.push(...d.checks)
    if (d.run) runs.push(d.run)
  }
  const only = (from: Map<string, DiffCell>, other: Map<string, DiffCell>) =>
    [...from.entries()].filter(([k]) => !other.has(k)).map(([, c]) => ({ sut: c.sut, scenario: c.scenario }))
  const count = (k: ChangeKind) => checks.filter((c) => c.kind === k).length
  return {
    schema: 'brownout.diff/1',
    kind: b.kind,
    a: { dir: a.dir, cells: a.cells.length },
    b: { dir: b.dir, cells: b.cells.length },
    pairedSuts: paired,
    runs,
    checks,
    onlyInA: only(cellsA, cellsB),
    onlyInB: only(cellsB, cellsA),
    summary: {
      regressed: count('regressed'),
      fixed: count('fixed'),
      'flipped-within-noise': count('flipped-within-noise'),
      advisory: count('advisory'),
      evidence: count('evidence'),
      moved: count('moved'),
      appeared: count('appeared'),
      disappeared: count('disappeared'),
      runsRegressed: runs.filter((r) => r.kind === 'regressed').length,
      runsFixed: runs.filter((r) => r.kind === 'fixed').length,
    },
  }
}

/**
 * The exit code of a diff: 1 if anything regressed in runs brownout kept up with; 4 if regressions showed only
 * where a run was harness-limited (brownout's own lag may explain them); else 0.
 */
export function diffExitCode(d: DiffResult): 0 | 1 | 4 {
  const regressed = d.checks.filter((c) => c.kind === 'regressed')
  if (d.runs.some((r) => r.kind === 'regressed') || regressed.some((c) => !c.harnessLimited)) return 1
  return regressed.length > 0 ? 4 : 0
}
