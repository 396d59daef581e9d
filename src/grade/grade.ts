import { neverReached } from '../load/record.js'
import { type HarnessMeta, harnessMessage } from '../record/harness.js'
import type { RunData } from '../record/run-data.js'
import { buildContext, type ClientView, type GradeContext, indexAttempts, type TimelineStep } from './context.js'
import { type Expectation, resolveExpectations } from './expect.js'
import { hasClientLayer, type LayerReport, layerReport } from './layers.js'
import { checkDefinition } from './registry.js'
import { compare, reduce } from './threshold.js'

export type Verdict = 'pass' | 'fail' | 'no-evidence'

export interface CheckResult {
  key: string
  name: string
  phase: string | null
  summary: string
  verdict: Verdict
  required: boolean
  /** Whether this result fails the run: a required check that failed, or an asked-for check without evidence. */
  failsRun: boolean
  value: number | null
  unit: string
  threshold: string
  source: 'scenario' | 'default'
  evidence: string
  /** Example requests: the upstream attempts, and what the client got in the end. */
  examples: Array<{ id: string; timeline: TimelineStep[]; client?: ClientView }>
}

export interface GradeResult {
  schema: 'brownout.result/1'
  scenario: { name: string; description: string }
  seed: number
  sut: RunData['meta']['sut']
  complete: boolean
  /** Every required check passed, the run completed, and brownout kept up (never true when harness-limited). */
  passed: boolean
  /**
   * brownout's own lag could have changed the verdicts (run.json `harness`): the checks are reported, but the run's
   * verdict is "harness-limited", not pass or fail of the SUT. The message names the lag and what to do.
   */
  harnessLimited: string | null
  /** brownout's own measurements of its lag during the run (absent for runs saved without them). */
  harness: HarnessMeta | null
  counts: RunData['meta']['counts']
  summary: { pass: number; fail: number; noEvidence: number; failing: number }
  checks: CheckResult[]
  /**
   * A run with a client layer (an SDK in front of the gateway, or as the SUT): how its upstream attempts split by
   * layer, with the attempt trees of the requests that made the most. Absent otherwise.
   */
  layers?: LayerReport
}

function evaluate(e: Expectation, contextFor: (phase: string | null) => GradeContext): CheckResult {
  const def = checkDefinition(e.name)
  if (!def) throw new Error(`unknown check ${e.name}`)
  const ctx = contextFor(e.phase)
  const m = def.measure(ctx)
  const value = m.sample
    ? m.sample.length > 0
      ? reduce(m.sample, e.threshold.stat, def.stat ?? { kind: 'avg' })
      : null
    : m.value
  const measured = value !== null && !Number.isNaN(value)
  const meets = measured && compare(value, e.threshold)
  // A lower bound that meets the threshold proves nothing (see Measurement.atLeast).
  const censored = m.atLeast === true && meets
  const verdict: Verdict = !measured || censored ? 'no-evidence' : meets ? 'pass' : 'fail'
  const failsRun = e.required && (verdict === 'fail' || (verdict === 'no-evidence' && e.source === 'scenario'))
  return {
    key: e.key,
    name: e.name,
    phase: e.phase,
    summary: def.summary,
    verdict,
    required: e.required,
    failsRun,
    value: verdict === 'no-evidence' ? null : value,
    unit: def.unit,
    threshold: e.threshold.text,
    source: e.source,
    evidence: censored ? `${m.evidence}: the run ended too soon to judge ${e.threshold.text}` : m.evidence,
    examples: m.examples.slice(0, 3).map((id) => {
      const client = ctx.clientView(id)
      return client ? { id, timeline: ctx.timeline(id), client } : { id, timeline: ctx.timeline(id) }
    }),
  }
}

/**
 * Grades a run: every expectation of the scenario, plus the defaults it does not override. Pure: the same run
 * data always gives the same result. A run that did not complete never passes.
 */
export function grade(data: RunData): GradeResult {
  const attempts = indexAttempts(data.journal)
  // One context per scope, shared by every check of that scope: grading stays linear in the size of the run.
  const contexts = new Map<string | null, GradeContext>()
  const contextFor = (name: string | null): GradeContext => {
    let ctx = contexts.get(name)
    if (!ctx) {
      const phase = name === null ? null : (data.meta.phases.find((p) => p.name === name) ?? null)
      ctx = buildContext(data, phase, attempts)
      contexts.set(name, ctx)
    }
    return ctx
  }
  const checks = resolveExpectations(data.scenario.expect).map((e) => evaluate(e, contextFor))
  const failing = checks.filter((c) => c.failsRun).length
  const layers = hasClientLayer(data) ? layerReport(contextFor(null).attempted(), data.meta.loadStartedAt) : null
  const harness = data.meta.harness
  const harnessLimited = harness?.limited ? harnessMessage(harness) : null
  return {
    schema: 'brownout.result/1',
    scenario: { name: data.scenario.name, description: data.scenario.description },
    seed: data.meta.seed,
    sut: data.meta.sut,
    complete: data.meta.complete,
    passed: data.meta.complete && failing === 0 && harnessLimited === null,
    harnessLimited,
    harness: harness ?? null,
    counts: {
      ...data.meta.counts,
      neverReachedUpstream: data.meta.counts.neverReachedUpstream ?? neverReached(data.records, data.journal),
    },
    summary: {
      pass: checks.filter((c) => c.verdict === 'pass').length,
      fail: checks.filter((c) => c.verdict === 'fail').length,
      noEvidence: checks.filter((c) => c.verdict === 'no-evidence').length,
      failing,
    },
    checks,
    ...(layers ? { layers } : {}),
  }
}
