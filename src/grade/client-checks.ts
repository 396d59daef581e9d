import { type CheckDefinition, defineCheck, noEvidence, ratio } from './check.js'
import { clientSuccess } from './context.js'

export const successRate = defineCheck({
  name: 'client.success_rate',
  summary: 'share of sent requests the client saw succeed (2xx, read to the end, no error inside)',
  unit: 'ratio',
  defaultExpect: { threshold: '>= 0.99', required: false },
  measure: (ctx) => {
    if (ctx.sent.length === 0) return noEvidence('no request was sent')
    const failed = ctx.sent.filter((r) => !clientSuccess(r))
    return {
      value: ratio(ctx.sent.length - failed.length, ctx.sent.length),
      evidence: `${ctx.sent.length - failed.length} of ${ctx.sent.length} succeeded`,
      examples: failed.slice(0, 3).map((r) => r.id),
    }
  },
})

export const latency = defineCheck({
  name: 'client.latency',
  summary: 'latency of successful requests from the intended send time (ms)',
  unit: 'ms',
  stat: { kind: 'p', q: 95 },
  measure: (ctx) => {
    const ok = ctx.sent.filter(clientSuccess)
    if (ok.length === 0) return noEvidence('no successful request')
    const slowest = [...ok].sort((a, b) => b.latencyMs - a.latencyMs)
    return {
      value: null,
      sample: ok.map((r) => r.latencyMs),
      evidence: `${ok.length} successful requests`,
      examples: slowest.slice(0, 3).map((r) => r.id),
    }
  },
})

export const ttft = defineCheck({
  name: 'client.ttft',
  summary: 'time to first token of streams from the intended send time (ms)',
  unit: 'ms',
  stat: { kind: 'p', q: 95 },
  measure: (ctx) => {
    const streams = ctx.sent.filter((r) => r.stream && r.ttftMs !== null)
    if (streams.length === 0) return noEvidence('no stream delivered a token')
    const slowest = [...streams].sort((a, b) => (b.ttftMs ?? 0) - (a.ttftMs ?? 0))
    return {
      value: null,
      sample: streams.map((r) => r.ttftMs ?? 0),
      evidence: `${streams.length} streams`,
      examples: slowest.slice(0, 3).map((r) => r.id),
    }
  },
})

export const hung = defineCheck({
  name: 'client.hung',
  summary: 'requests still unanswered at the client deadline (hangs)',
  unit: 'count',
  defaultExpect: { threshold: '== 0', required: true },
  measure: (ctx) => {
    if (ctx.sent.length === 0) return noEvidence('no request was sent')
    const hangs = ctx.sent.filter((r) => r.outcome === 'timeout')
    return {
      value: hangs.length,
      evidence: `${hangs.length} of ${ctx.sent.length} hit the client deadline`,
      examples: hangs.slice(0, 3).map((r) => r.id),
    }
  },
})

export const errorsWellFormed = defineCheck({
  name: 'client.errors_well_formed',
  summary:
    'share of failures the client got as an HTTP error with a JSON body in the API shape (not a reset, HTML or a malformed 200)',
  unit: 'ratio',
  defaultExpect: { threshold: '>= 1', required: true },
  measure: (ctx) => {
    const failures = ctx.sent.filter(
      (r) =>
        r.outcome === 'http-error' || r.outcome === 'network-error' || (r.outcome === 'ok' && r.bodyError !== null),
    )
    if (failures.length === 0) return noEvidence('the client saw no failure')
    const bad = failures.filter((r) => !(r.outcome === 'http-error' && r.errorBody?.wellFormed))
    return {
      value: ratio(failures.length - bad.length, failures.length),
      evidence: `${failures.length - bad.length} of ${failures.length} failures well formed`,
      examples: bad.slice(0, 3).map((r) => r.id),
    }
  },
})

/** Successes whose text can be compared with the deterministic answer. */
function comparable(ctx: Parameters<CheckDefinition['measure']>[0]) {
  return ctx.sent.filter((r) => clientSuccess(r) && r.text !== null && ctx.expectedText(r) !== null)
}

export const truncatedSuccess = defineCheck({
  name: 'client.truncated_success',
  summary: 'successes whose answer is a strict prefix of the complete answer (a cut stream passed off as done)',
  unit: 'count',
  defaultExpect: { threshold: '== 0', required: true },
  measure: (ctx) => {
    const candidates = comparable(ctx)
    if (candidates.length === 0) return noEvidence('no success with text to compare')
    const cut = candidates.filter((r) => {
      const expected = ctx.expectedText(r) ?? ''
      return r.text !== expected && expected.startsWith(r.text ?? '')
    })
    return {
      value: cut.length,
      evidence: `${cut.length} of ${candidates.length} successes truncated`,
      examples: cut.slice(0, 3).map((r) => r.id),
    }
  },
})

export const duplicatedContent = defineCheck({
  name: 'client.duplicated_content',
  summary: 'successes whose answer is not the complete answer nor a prefix of it (spliced retries, corruption)',
  unit: 'count',
  defaultExpect: { threshold: '== 0', required: true },
  measure: (ctx) => {
    const candidates = comparable(ctx)
    if (candidates.length === 0) return noEvidence('no success with text to compare')
    const wrong = candidates.filter((r) => !(ctx.expectedText(r) ?? '').startsWith(r.text ?? ''))
    return {
      value: wrong.length,
      evidence: `${wrong.length} of ${candidates.length} successes carry content that is not the answer`,
      examples: wrong.slice(0, 3).map((r) => r.id),
    }
  },
})

export const CLIENT_CHECKS = [successRate, latency, ttft, hung, errorsWellFormed, truncatedSuccess, duplicatedContent]
