import { digestDifferences, sameUsage } from '../dialects/passthrough.js'
import { type ClientRecord, gapsTotalMs } from '../load/record.js'
import type { JournalEntry } from '../upstream/journal.js'
import { defineCheck, noEvidence } from './check.js'
import { carriedRequest, clientSuccess, type GradeContext } from './context.js'

/*
 * The pass-through checks: what a gateway must hand on unchanged, judged by comparing the two ends of it. The
 * upstream's journal says what it received and what it wrote, and when; the client's record says what it sent and
 * what it received, and when. Both clocks are brownout's own (the upstreams and the load driver share a process).
 * Each check needs fields runs carry since these checks exist (journal `writes`, `usage`, `received`; record `usage`,
 * `answerModel`, `sent`): older runs, and client-mode runs where brownout did not send the requests, have no
 * evidence for them.
 */

/** The attempt whose answer the client got: the last one that sent a 2xx status. */
function servingAttempt(ctx: GradeContext, r: ClientRecord): JournalEntry | undefined {
  const list = ctx.attempts.get(r.id)
  if (!list) return undefined
  for (let i = list.length - 1; i >= 0; i--) {
    const a = list[i]
    if (a && a.status !== null && a.status >= 200 && a.status < 300) return a
  }
  return undefined
}

/** Successes paired with the attempt that served them. */
function served(ctx: GradeContext): Array<{ r: ClientRecord; a: JournalEntry }> {
  const out: Array<{ r: ClientRecord; a: JournalEntry }> = []
  for (const r of ctx.sent) {
    if (!clientSuccess(r)) continue
    const a = servingAttempt(ctx, r)
    if (a) out.push({ r, a })
  }
  return out
}

const round = (ms: number) => Math.round(ms)

/** An upstream spreading its writes over at least this long makes a stream whose collapse can be seen. */
const SPREAD_MS = 50

export const streamBuffering = defineCheck({
  name: 'passthrough.stream_buffering',
  summary:
    "delay a gateway adds to a stream's first token: when the client read it, against when the upstream wrote it for the attempt that served it (ms); a gateway that holds a stream until its end adds the whole stream's duration",
  unit: 'ms',
  stat: { kind: 'p', q: 90 },
  measure: (ctx) => {
    const start = ctx.data.meta.loadStartedAt
    const streams = served(ctx).filter(
      ({ r, a }) => r.stream && r.ttftMs !== null && (a.writes ?? 0) >= 2 && a.firstWriteMs != null,
    )
    if (streams.length === 0) return noEvidence('no stream served by an upstream with its write times')
    const rows = streams.map(({ r, a }) => {
      const clientFirst = start + r.intendedAt + (r.ttftMs ?? 0)
      const delay = clientFirst - (a.receivedAt + (a.firstWriteMs ?? 0))
      const upstreamSpread = (a.lastWriteMs ?? 0) - (a.firstWriteMs ?? 0)
      const clientSpread = gapsTotalMs(r)
      const collapsed = upstreamSpread >= SPREAD_MS && clientSpread < upstreamSpread / 10
      return { id: r.id, delay, collapsed, upstreamSpread, clientSpread }
    })
    const worst = [...rows].sort((x, y) => y.delay - x.delay)
    const collapsed = rows.filter((x) => x.collapsed)
    const spread = rows.filter((x) => x.upstreamSpread >= SPREAD_MS).length
    const median = [...rows].sort((x, y) => x.delay - y.delay)[Math.floor(rows.length / 2)]?.delay ?? 0
    return {
      value: null,
      sample: rows.map((x) => x.delay),
      evidence: `${rows.length} streams: first token ${round(median)} ms after the upstream wrote it (median), ${round(worst[0]?.delay ?? 0)} ms at worst; ${collapsed.length} of ${spread} streams the upstream spread over ≥ ${SPREAD_MS} ms reached the client in one burst`,
      examples: (collapsed.length > 0 ? collapsed : worst).slice(0, 3).map((x) => x.id),
    }
  },
})

export const usagePreserved = defineCheck({
  name: 'passthrough.usage_preserved',
  summary:
    'answers whose usage the client did not get as the upstream sent it for the attempt that served them: dropped, recomputed, or never asked for because the gateway removed stream_options.include_usage',
  unit: 'count',
  measure: (ctx) => {
    const pairs = served(ctx).filter(
      ({ r, a }) =>
        a.usage !== undefined &&
        r.usage !== undefined &&
        (a.usage !== null || r.sent?.streamUsage === true || r.usage !== null),
    )
    if (pairs.length === 0) return noEvidence('no answer with usage to compare (the upstream sent none, nobody asked)')
    let missing = 0
    let changed = 0
    let unasked = 0
    const wrong: string[] = []
    for (const { r, a } of pairs) {
      if (a.usage === null) {
        // The client asked for usage, the upstream was never asked: the gateway dropped include_usage.
        if ((r.usage ?? null) === null && r.sent?.streamUsage === true) unasked++
        else if (r.usage != null) changed++
        else continue
      } else if ((r.usage ?? null) === null) missing++
      else if (!sameUsage(r.usage, a.usage)) changed++
      else continue
      wrong.push(r.id)
    }
    const parts = [
      missing > 0 ? `${missing} lost it` : '',
      changed > 0 ? `${changed} got other numbers than the upstream's` : '',
      unasked > 0 ? `${unasked} streams asked for usage the upstream was never asked for` : '',
    ].filter(Boolean)
    return {
      value: wrong.length,
      evidence: `${pairs.length - wrong.length} of ${pairs.length} answers carried the upstream's usage${parts.length > 0 ? `; ${parts.join(', ')}` : ''}`,
      examples: wrong.slice(0, 3),
    }
  },
})

export const modelPreserved = defineCheck({
  name: 'passthrough.model_preserved',
  summary:
    "answers that name another model than the one that served them (the upstream echoes the model it was asked for: after a fallback to another model, the fallback's)",
  unit: 'count',
  measure: (ctx) => {
    const pairs = served(ctx).filter(({ r, a }) => r.answerModel !== undefined && a.model !== null)
    if (pairs.length === 0) return noEvidence('no answer from an upstream that named its model')
    const wrong = pairs.filter(({ r, a }) => r.answerModel !== a.model)
    const fellBack = pairs.filter(({ r, a }) => a.model !== r.model).length
    const names = [...new Set(wrong.map(({ r, a }) => `${a.model} → ${r.answerModel ?? 'none'}`))].slice(0, 3)
    return {
      value: wrong.length,
      evidence: `${pairs.length - wrong.length} of ${pairs.length} answers named the model that served them${fellBack > 0 ? ` (${fellBack} served by another model than the one asked for)` : ''}${names.length > 0 ? `; renamed: ${names.join(', ')}` : ''}`,
      examples: wrong.slice(0, 3).map(({ r }) => r.id),
    }
  },
})

export const requestFidelity = defineCheck({
  name: 'passthrough.request_fidelity',
  summary:
    'requests that reached an upstream changed: messages, max_tokens, stream, tools or stream_options.include_usage other than the client sent them (header names the gateway added or dropped are listed, not judged)',
  unit: 'count',
  measure: (ctx) => {
    let compared = 0
    const wrong: string[] = []
    const fields = new Map<string, number>()
    const added = new Map<string, number>()
    const dropped = new Map<string, number>()
    for (const r of ctx.sent) {
      const sent = r.sent
      if (!sent) continue
      const attempts = (ctx.attempts.get(r.id) ?? []).filter((a) => a.received !== undefined && carriedRequest(a))
      if (attempts.length === 0) continue
      compared++
      const diffs = new Set<string>()
      for (const a of attempts) {
        const received = a.received
        if (!received) continue
        for (const f of digestDifferences(sent, received)) diffs.add(f)
        const got = new Set(received.headers)
        const had = new Set(sent.headers)
        for (const h of got) if (!had.has(h)) added.set(h, (added.get(h) ?? 0) + 1)
        for (const h of had) if (!got.has(h)) dropped.set(h, (dropped.get(h) ?? 0) + 1)
      }
      for (const f of diffs) fields.set(f, (fields.get(f) ?? 0) + 1)
      if (diffs.size > 0) wrong.push(r.id)
    }
    if (compared === 0) return noEvidence('no request brownout sent reached an upstream whole')
    const list = (m: Map<string, number>) =>
      [...m.entries()]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 6)
        .map(([k, n]) => `${k} (${n})`)
        .join(', ')
    const changed = fields.size > 0 ? `; changed: ${list(fields)}` : ''
    const headers = [
      added.size > 0 ? `headers added: ${list(added)}` : '',
      dropped.size > 0 ? `headers dropped: ${list(dropped)}` : '',
    ].filter(Boolean)
    return {
      value: wrong.length,
      evidence: `${compared - wrong.length} of ${compared} requests reached the upstream as sent${changed}${headers.length > 0 ? `; ${headers.join('; ')}` : '; same header names'}`,
      examples: wrong.slice(0, 3),
    }
  },
})

export const addedLatency = defineCheck({
  name: 'passthrough.added_latency',
  summary:
    "the gateway's own time on a request served by one attempt: the client's time from sending to the answer's end, less the upstream's from arrival to its last byte (ms)",
  unit: 'ms',
  stat: { kind: 'p', q: 50 },
  measure: (ctx) => {
    const start = ctx.data.meta.loadStartedAt
    const rows: Array<{ id: string; ms: number; before: number }> = []
    for (const r of ctx.sent) {
      if (!clientSuccess(r)) continue
      const list = ctx.attempts.get(r.id)
      const a = list?.[0]
      if (!a || list.length !== 1 || a.endedBy !== 'end' || a.status === null || a.status >= 300) continue
      // Before: from the client's send to the upstream's arrival; the rest is after the upstream's last byte.
      const before = a.receivedAt - (start + r.intendedAt + r.sendLagMs)
      rows.push({ id: r.id, ms: r.latencyMs - r.sendLagMs - a.durationMs, before })
    }
    if (rows.length === 0) return noEvidence('no success served by a single attempt')
    const sorted = [...rows].sort((x, y) => y.ms - x.ms)
    const median = sorted[Math.floor(sorted.length / 2)]?.ms ?? 0
    const before = rows.map((x) => x.before).sort((x, y) => x - y)[Math.floor(rows.length / 2)] ?? 0
    return {
      value: null,
      sample: rows.map((x) => x.ms),
      evidence: `${rows.length} successes served by one attempt: the gateway added ${round(median)} ms (median: ${round(before)} ms before the upstream got the request, the rest after its last byte), ${round(sorted[0]?.ms ?? 0)} ms at worst`,
      examples: sorted.slice(0, 3).map((x) => x.id),
    }
  },
})

export const PASSTHROUGH_CHECKS = [streamBuffering, usagePreserved, modelPreserved, requestFidelity, addedLatency]
