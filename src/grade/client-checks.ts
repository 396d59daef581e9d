import type { ClientRecord } from '../load/record.js'
import { type CheckDefinition, defineCheck, noEvidence, ratio } from './check.js'
import { attemptFailure, clientSuccess, type GradeContext } from './context.js'

export const successRate = defineCheck({
  name: 'client.success_rate',
  summary: 'share of sent requests the client saw succeed (2xx, read to the end, no error inside)',
  unit: 'ratio',
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
      evidence: `${ok.length} successful requests${ok.length < ctx.sent.length ? ` (the ${ctx.sent.length - ok.length} failures and hangs are not in it)` : ''}`,
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
    'share of failures the client got in a clean form: an HTTP error with a JSON body in the API shape, or (once a stream has begun) an in-band error event or a close; never a reset before any answer, an HTML page or a malformed 200',
  unit: 'ratio',
  defaultExpect: { threshold: '>= 1', required: true },
  measure: (ctx) => {
    const failures = ctx.sent.filter((r) => r.outcome !== 'timeout' && !clientSuccess(r))
    // Hangs have no form to judge: client.hung grades them, and the evidence says they were there.
    const hangs = ctx.sent.filter((r) => r.outcome === 'timeout').length
    const hung = hangs > 0 ? `${hangs} hangs (see client.hung)` : ''
    if (failures.length === 0) return noEvidence(hangs > 0 ? `no failure besides ${hung}` : 'the client saw no failure')
    const bad = failures.filter((r) => !cleanFailure(r))
    return {
      value: ratio(failures.length - bad.length, failures.length),
      evidence: `${failures.length - bad.length} of ${failures.length} failures well formed${hangs > 0 ? `; not judged: ${hung}` : ''}`,
      // Examples that reached an upstream first: they show what the gateway made of the upstream's answer.
      examples: [...bad.filter((r) => ctx.attempts.has(r.id)), ...bad.filter((r) => !ctx.attempts.has(r.id))]
        .slice(0, 3)
        .map((r) => r.id),
    }
  },
})

/** An error the client can handle: a well-formed API error, or an explicit end to a stream already under way. */
function cleanFailure(r: ClientRecord): boolean {
  if (r.outcome === 'http-error') return r.errorBody?.wellFormed === true
  const committedStream = r.status === 200 && r.stream && r.events > 0 && r.bodyError === null
  const cut = r.outcome === 'network-error' || (r.outcome === 'broken-stream' && r.error !== null)
  return committedStream && (r.inBandError !== null || cut)
}

export const streamContentType = defineCheck({
  name: 'client.stream_content_type',
  summary:
    'share of streams (SSE answers to stream requests) labelled content-type: text/event-stream; brownout reads the events either way, but SSE clients such as httpx-sse reject a stream labelled otherwise',
  unit: 'ratio',
  defaultExpect: { threshold: '>= 1', required: true },
  measure: (ctx) => {
    const streams = ctx.sent.filter(
      (r) =>
        r.stream && r.status !== null && r.status < 300 && (r.events > 0 || (r.streamContentType ?? null) !== null),
    )
    if (streams.length === 0) return noEvidence('no stream was answered')
    const wrong = streams.filter((r) => (r.streamContentType ?? null) !== null)
    const labels = [...new Set(wrong.map((r) => r.streamContentType || 'none'))].slice(0, 3).join(', ')
    return {
      value: ratio(streams.length - wrong.length, streams.length),
      evidence: `${streams.length - wrong.length} of ${streams.length} streams labelled text/event-stream${wrong.length > 0 ? `; ${wrong.length} had content-type: ${labels}` : ''}`,
      examples: wrong.slice(0, 3).map((r) => r.id),
    }
  },
})

/**
 * Successes whose text can be compared with the deterministic answer, and how many requests were exposed to a
 * content fault (a stream broken after it began): either makes evidence, since a correct SUT may well turn every
 * broken stream into a clean failure and so leave no success to compare.
 */
function comparable(ctx: GradeContext): { candidates: ClientRecord[]; exposed: number } {
  const candidates = ctx.sent.filter(
    (r) => clientSuccess(r) && (r.textIsExpected === true || (r.text !== null && ctx.expectedText(r) !== null)),
  )
  const exposed = ctx.sent.filter((r) =>
    (ctx.attempts.get(r.id) ?? []).some((a) => attemptFailure(a) === 'mid-stream'),
  ).length
  return { candidates, exposed }
}

function contentCheck(
  name: string,
  summary: string,
  isWrong: (text: string, expected: string) => boolean,
  what: string,
): CheckDefinition {
  return defineCheck({
    name,
    summary,
    unit: 'count',
    defaultExpect: { threshold: '== 0', required: true },
    measure: (ctx) => {
      const { candidates, exposed } = comparable(ctx)
      if (candidates.length === 0 && exposed === 0)
        return noEvidence('no success with text to compare and no broken answer')
      // A summary whose text was the expected answer is right by both measures (neither cut nor spliced).
      const wrong = candidates.filter((r) => !r.textIsExpected && isWrong(r.text ?? '', ctx.expectedText(r) ?? ''))
      return {
        value: wrong.length,
        evidence: `${wrong.length} of ${candidates.length} successes ${what}${exposed > 0 ? `; ${exposed} requests met a broken answer` : ''}`,
        examples: wrong.slice(0, 3).map((r) => r.id),
      }
    },
  })
}

export const truncatedSuccess = contentCheck(
  'client.truncated_success',
  'successes whose answer is a strict prefix of the complete answer (a cut stream passed off as done)',
  (text, expected) => text !== expected && expected.startsWith(text),
  'truncated',
)

export const duplicatedContent = contentCheck(
  'client.duplicated_content',
  'successes whose answer is not the complete answer nor a prefix of it (spliced retries, corruption)',
  (text, expected) => !expected.startsWith(text),
  'carry content that is not the answer',
)

export const CLIENT_CHECKS = [
  successRate,
  latency,
  ttft,
  hung,
  errorsWellFormed,
  streamContentType,
  truncatedSuccess,
  duplicatedContent,
]
