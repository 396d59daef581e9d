import type { PhaseWindow } from '../record/phase.js'
import type { JournalEntry } from '../upstream/journal.js'
import { defineCheck, noEvidence, ratio } from './check.js'
import { attemptFailure, clientSuccess, type GradeContext } from './context.js'

/** The phase a breaker/recovery check is about: its scope, or the phase where most faults fired. */
function faultPhase(ctx: GradeContext, needsFollower: boolean): PhaseWindow | undefined {
  if (ctx.phase) return ctx.phase
  const phases = ctx.data.meta.phases
  let best: PhaseWindow | undefined
  let bestCount = 0
  phases.forEach((p, i) => {
    if (needsFollower && i === phases.length - 1) return
    const count = ctx.data.journal.filter(
      (e) => e.faults.length > 0 && ctx.runMs(e.receivedAt) >= p.startMs && ctx.runMs(e.receivedAt) < p.endMs,
    ).length
    if (count > bestCount) {
      best = p
      bestCount = count
    }
  })
  return best
}

function nextFaultPhaseStart(ctx: GradeContext, phase: PhaseWindow): number {
  const later = ctx.data.meta.phases.filter((p) => p.startMs >= phase.endMs)
  const faulted = later.find((p) =>
    ctx.data.journal.some(
      (e) => e.faults.length > 0 && ctx.runMs(e.receivedAt) >= p.startMs && ctx.runMs(e.receivedAt) < p.endMs,
    ),
  )
  return faulted?.startMs ?? Number.POSITIVE_INFINITY
}

export const outageAttemptRatio = defineCheck({
  name: 'breaker.outage_attempt_ratio',
  summary:
    'upstream attempts ÷ client requests in the second half of the fault phase (a breaker or retry budget brings it down)',
  unit: 'x',
  measure: (ctx) => {
    const phase = faultPhase(ctx, false)
    if (!phase) return noEvidence('no phase with faults')
    const from = (phase.startMs + phase.endMs) / 2
    const requests = ctx.data.records.filter(
      (r) => r.outcome !== 'not-sent' && r.intendedAt >= from && r.intendedAt < phase.endMs,
    )
    const attempts = ctx.data.journal.filter(
      (e) => ctx.runMs(e.receivedAt) >= from && ctx.runMs(e.receivedAt) < phase.endMs,
    )
    if (requests.length === 0) return noEvidence(`no request in the second half of ${phase.name}`)
    return {
      value: ratio(attempts.length, requests.length),
      evidence: `${attempts.length} attempts for ${requests.length} requests in the second half of ${phase.name}`,
      examples: requests.slice(0, 3).map((r) => r.id),
    }
  },
})

export const recoverySeconds = defineCheck({
  name: 'recovery.seconds',
  summary: 'seconds after the fault phase ends until requests stop failing',
  unit: 's',
  measure: (ctx) => {
    const phase = faultPhase(ctx, true)
    if (!phase) return noEvidence('no fault phase followed by another phase')
    // Recovery is measured until the next phase in which faults fire again (a flapping upstream), or the end.
    const until = nextFaultPhaseStart(ctx, phase)
    const after = ctx.data.records
      .filter(
        (r) =>
          r.outcome !== 'not-sent' && r.outcome !== 'abandoned' && r.intendedAt >= phase.endMs && r.intendedAt < until,
      )
      .sort((a, b) => a.intendedAt - b.intendedAt)
    if (after.length === 0) return noEvidence(`no request after ${phase.name}`)
    const failures = after.filter((r) => !clientSuccess(r))
    const last = failures[failures.length - 1]
    if (!last) return { value: 0, evidence: `every request after ${phase.name} succeeded`, examples: [] }
    const recovered = after.some((r) => r.intendedAt > last.intendedAt)
    const lastS = (last.intendedAt - phase.endMs) / 1000
    // Still failing at the end: recovery takes at least as long as was watched (a fail past the threshold, no
    // evidence below it — a run cut short by --fast cannot show a breaker's full break duration).
    return {
      value: lastS,
      ...(recovered ? {} : { atLeast: true }),
      evidence: recovered
        ? `last failure ${lastS.toFixed(1)} s after ${phase.name} ended`
        : `still failing at the end of the run, ${lastS.toFixed(1)} s after ${phase.name} ended`,
      examples: failures.slice(-3).map((r) => r.id),
    }
  },
})

const SHED = new Set([429, 503, 529])

export const shedLatency = defineCheck({
  name: 'overload.shed_latency',
  summary: 'how fast refusals (429/503/529) come back to the client (ms)',
  unit: 'ms',
  stat: { kind: 'p', q: 95 },
  measure: (ctx) => {
    const shed = ctx.sent.filter((r) => r.status !== null && SHED.has(r.status))
    if (shed.length === 0) return noEvidence('no request was refused with 429/503/529')
    const slowest = [...shed].sort((a, b) => b.latencyMs - a.latencyMs)
    return {
      value: null,
      sample: shed.map((r) => r.latencyMs),
      evidence: `${shed.length} refusals`,
      examples: slowest.slice(0, 3).map((r) => r.id),
    }
  },
})

export const goodput = defineCheck({
  name: 'overload.goodput',
  summary: 'successful requests per second over the scope',
  unit: 'per-s',
  measure: (ctx) => {
    const span = ctx.phase ? ctx.phase.endMs - ctx.phase.startMs : ctx.data.meta.durationMs
    if (ctx.sent.length === 0 || span <= 0) return noEvidence('no request was sent')
    const ok = ctx.sent.filter(clientSuccess).length
    return { value: ok / (span / 1000), evidence: `${ok} successes in ${(span / 1000).toFixed(1)} s`, examples: [] }
  },
})

export const aliveAfter = defineCheck({
  name: 'sut.alive_after',
  summary: 'the SUT still answered its ready check after the run (1 = yes)',
  unit: 'count',
  defaultExpect: { threshold: '== 1', required: true },
  measure: (ctx) => {
    const alive = ctx.data.meta.sut.aliveAfter
    if (alive === undefined) return noEvidence(ctx.data.meta.sut.mode === 'direct' ? 'no SUT (--direct)' : 'not probed')
    return {
      value: alive ? 1 : 0,
      evidence: alive ? 'answered after the run' : 'did not answer after the run',
      examples: [],
    }
  },
})

export const faultsFired = defineCheck({
  name: 'faults.fired',
  summary:
    'attempts on which a declared fault fired, counted at arrival so a hang the SUT never closed counts (a scenario whose faults never fired proved nothing)',
  unit: 'count',
  defaultExpect: { threshold: '> 0', required: true },
  measure: (ctx) => {
    const declared = Object.entries(ctx.data.scenario.upstreams).flatMap(([name, u]) =>
      u.faults.map((rule, i) => `${name}/${rule.name ?? i}`),
    )
    const capacity = Object.values(ctx.data.scenario.upstreams).some((u) => u.capacity || u.limits.rpm || u.limits.tpm)
    if (declared.length === 0 && !capacity) return noEvidence('the scenario declares no faults')
    const fired = ctx.journal.filter((e) => e.faults.length > 0 || e.status === 429)
    const firedRules = new Set(fired.map((e) => `${e.upstream}/${e.rule}`))
    const silent = declared.filter((d) => !firedRules.has(d))
    return {
      value: fired.length,
      evidence: `${fired.length} attempts faulted${silent.length > 0 ? `; never fired: ${silent.join(', ')}` : ''}`,
      examples: [...new Set(fired.map((e) => e.requestId))].slice(0, 3),
    }
  },
})

/**
 * The rules that take an upstream down for a while, as `upstream/rule`: their `when` picks attempts by time or
 * shape only (`during`, `path`, `model`…), not per request (`attempt`, `every`, `probability`, `request_id`: a first
 * attempt that hangs is not an outage).
 */
function outageRules(ctx: GradeContext): Set<string> {
  const out = new Set<string>()
  for (const [name, u] of Object.entries(ctx.data.scenario.upstreams))
    u.faults.forEach((rule, i) => {
      const w = rule.when
      const perRequest =
        w.attempt !== undefined ||
        w.every !== undefined ||
        (w.probability !== undefined && w.probability < 1) ||
        w.request_id !== undefined
      if (!perRequest) out.add(`${name}/${rule.name ?? i}`)
    })
  return out
}

/**
 * Where an upstream was down: (upstream, phase) pairs in which an outage rule (`outageRules`) failed every attempt
 * transiently (5xx, 529, reset, hang: at least 5 of them). The scope's phase only, when the check is scoped.
 */
function downWindows(ctx: GradeContext): Array<{ upstream: string; phase: PhaseWindow; attempts: JournalEntry[] }> {
  const rules = outageRules(ctx)
  const phases = ctx.phase ? [ctx.phase] : ctx.data.meta.phases
  const out: Array<{ upstream: string; phase: PhaseWindow; attempts: JournalEntry[] }> = []
  if (rules.size === 0) return out
  for (const phase of phases) {
    const inPhase = ctx.data.journal.filter(
      (e) => ctx.runMs(e.receivedAt) >= phase.startMs && ctx.runMs(e.receivedAt) < phase.endMs,
    )
    for (const upstream of new Set(inPhase.map((e) => e.upstream))) {
      const attempts = inPhase.filter((e) => e.upstream === upstream)
      const down = attempts.every(
        (e) => attemptFailure(e) === 'transient' && rules.has(`${e.upstream}/${e.rule ?? ''}`),
      )
      if (attempts.length >= 5 && down) out.push({ upstream, phase, attempts })
    }
  }
  return out
}

export const breakerProbes = defineCheck({
  name: 'breaker.probes',
  summary:
    'most attempts in flight at once at an upstream that was down (an outage rule failed every attempt of a phase), in the second half of that phase: a breaker probes one at a time instead of sending every request',
  unit: 'count',
  defaultExpect: { threshold: '<= 2', required: true },
  measure: (ctx) => {
    const windows = downWindows(ctx)
    if (windows.length === 0)
      return noEvidence('no upstream was down for a phase (an outage rule failing every attempt)')
    let peak = 0
    let where = ''
    let examples: string[] = []
    for (const { upstream, phase, attempts } of windows) {
      const from = (phase.startMs + phase.endMs) / 2
      where ||= `${upstream} in the second half of ${phase.name}`
      // A sweep in order of arrival: the attempts still in flight when each one arrived (itself included).
      let open: JournalEntry[] = []
      for (const a of [...attempts].sort((x, y) => x.receivedAt - y.receivedAt)) {
        open = open.filter((b) => b.receivedAt + b.durationMs > a.receivedAt)
        open.push(a)
        if (ctx.runMs(a.receivedAt) >= from && open.length > peak) {
          peak = open.length
          where = `${upstream} in the second half of ${phase.name}`
          examples = open.map((b) => b.requestId)
        }
      }
    }
    const attempts = windows.reduce((n, w) => n + w.attempts.length, 0)
    return {
      value: peak,
      evidence:
        peak === 0
          ? `no attempt reached ${where} (${attempts} attempts while down)`
          : `${peak} attempts in flight at once at ${where} (${attempts} attempts while down)`,
      examples: [...new Set(examples)].slice(0, 3),
    }
  },
})

export const SYSTEM_CHECKS = [
  outageAttemptRatio,
  breakerProbes,
  recoverySeconds,
  shedLatency,
  goodput,
  aliveAfter,
  faultsFired,
]
