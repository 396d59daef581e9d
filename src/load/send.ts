import type { Dispatcher } from 'undici'
import type { Clock } from '../clock.js'
import type { Dialect } from '../dialects/dialect.js'
import { answerFacts, mergeUsage, requestDigest } from '../dialects/passthrough.js'
import { dialectOf } from '../dialects/registry.js'
import type { RequestTemplate } from '../scenario/schema.js'
import type { ClientRecord } from './record.js'
import type { BuiltRequest } from './request.js'
import { type SseEvent, SseParser } from './sse.js'

const TEXT_CAP = 64 * 1024
const KEPT_HEADERS: ReadonlySet<string> = new Set([
  'retry-after',
  'retry-after-ms',
  'x-request-id',
  'request-id',
  'x-brownout-attempt',
  'content-type',
  'x-should-retry',
])

/** A deadline timer this late may have had I/O waiting behind it. */
const ON_TIME_MS = 2
/** A loop this late to run a deadline timer was blocked (busy elsewhere), not merely jittery. */
const LATE_TIMER_MS = 100

/** What the driver knows of a request before it is carried out. */
export type RecordBase = Pick<
  ClientRecord,
  'id' | 'n' | 'api' | 'model' | 'stream' | 'maxTokens' | 'phase' | 'intendedAt'
>

/** A record for a request that has not produced anything yet: every outcome field empty. */
export function emptyRecord(base: RecordBase, sendLagMs: number): ClientRecord {
  // Every field spelled out (no spread): one object shape for every record, built fast on the driver's hot path.
  return {
    id: base.id,
    n: base.n,
    api: base.api,
    model: base.model,
    stream: base.stream,
    maxTokens: base.maxTokens,
    phase: base.phase,
    intendedAt: base.intendedAt,
    sendLagMs,
    outcome: 'ok',
    status: null,
    latencyMs: 0,
    ttftMs: null,
    gapsMs: [],
    events: 0,
    terminal: false,
    inBandError: null,
    finishReason: null,
    text: null,
    errorBody: null,
    bodyError: null,
    bodyHead: null,
    streamContentType: null,
    error: null,
    headers: {},
    bytes: 0,
  }
}

export interface SendContext {
  dispatcher: Dispatcher
  clock: Clock
  /** The load's start, ms since epoch: record times are relative to it. */
  startMs: number
  timeoutMs: number
  /** Aborts the request when the run is stopped. */
  signal: AbortSignal
  /** Told of every client deadline that passed: brownout's own lag signal. */
  lag?: DeadlineLag
  /** This request is one the client abandons (`load.cancel`): when. */
  cancel?: CancelPlan
}

/** When the client gives up on a request: a time after its send, a number of stream events, or the first of both. */
export interface CancelPlan {
  afterMs?: number
  afterChunks?: number
}

/** Counts client deadlines, and how late brownout's own loop ran them (a late one means the harness was blocked). */
export class DeadlineLag {
  /** Deadlines that passed. */
  passed = 0
  /** Deadlines that passed before the request got a connection from the pool (never sent). */
  neverSent = 0
  /** Deadlines whose timer ran at least LATE_TIMER_MS late. */
  late = 0
  /** The latest a deadline timer ran, ms. */
  maxLateMs = 0

  deadline(lateMs: number, sent: boolean): void {
    this.passed++
    if (!sent) this.neverSent++
    if (lateMs >= LATE_TIMER_MS) this.late++
    if (lateMs > this.maxLateMs) this.maxLateMs = lateMs
  }
}

function keptHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k in headers) {
    if (KEPT_HEADERS.has(k) || k.startsWith('x-portkey') || k.startsWith('x-litellm')) {
      const v = headers[k]
      out[k] = Array.isArray(v) ? v.join(', ') : (v ?? '')
    }
  }
  return out
}

/** Turns a response, as it arrives, into the outcome fields of a record (status, stream events, text, errors). */
class ResponseReader {
  private parser: SseParser | undefined
  /** A stream was asked for but not labelled text/event-stream: the body's first bytes decide (see sniffSse). */
  private sniffing = false
  private chunks: Buffer[] = []
  private text = ''
  private lastToken: number | null = null
  private contentType = ''
  private readonly dialect: Dialect

  constructor(
    private readonly record: ClientRecord,
    api: RequestTemplate['api'],
    private readonly now: () => number,
  ) {
    this.dialect = dialectOf(api)
  }

  start(status: number, headers: Record<string, string | string[] | undefined>): void {
    this.record.status = status
    this.record.headers = keptHeaders(headers)
    this.contentType = String(headers['content-type'] ?? '')
    if (status >= 400) return
    if (this.contentType.startsWith('text/event-stream')) this.parser = new SseParser()
    else if (this.record.stream) this.sniffing = true
  }

  data(chunk: Buffer): void {
    this.record.bytes += chunk.length
    if (this.sniffing) {
      this.chunks.push(chunk)
      this.sniff(false)
      return
    }
    if (!this.parser) {
      this.chunks.push(chunk)
      return
    }
    this.feed(chunk.toString('utf8'))
  }

  /** Decides whether a mislabelled answer to a stream request is SSE, once its first bytes say so (or at its end). */
  private sniff(atEnd: boolean): void {
    const body = Buffer.concat(this.chunks).toString('utf8')
    const looks = sniffSse(body)
    if (looks === undefined && !atEnd) return
    this.sniffing = false
    if (!looks) return
    this.parser = new SseParser()
    this.record.streamContentType = this.contentType
    this.chunks = []
    this.feed(body)
  }

  private feed(text: string): void {
    for (const ev of this.parser?.feed(text) ?? []) this.event(ev)
  }

  private event(ev: SseEvent): void {
    const r = this.record
    r.events++
    const meaning = this.dialect.client.interpretEvent(ev)
    if (meaning === 'unparseable') {
      r.bodyError ??= 'unparseable-event'
      return
    }
    if (meaning.text !== undefined && meaning.text !== '') {
      const t = this.now()
      if (this.lastToken === null) r.ttftMs = t - r.intendedAt
      else r.gapsMs.push(Math.round((t - this.lastToken) * 100) / 100)
      this.lastToken = t
      if (this.text.length < TEXT_CAP) this.text += meaning.text
    }
    if (meaning.finish) r.finishReason = meaning.finish
    if (meaning.facts) {
      if (meaning.facts.usage) r.usage = mergeUsage(r.usage ?? null, meaning.facts.usage)
      if (meaning.facts.model !== undefined) r.answerModel = meaning.facts.model
    }
    if (meaning.terminal) r.terminal = true
    if (meaning.error) r.inBandError = meaning.error
  }

  end(): void {
    const r = this.record
    if (this.sniffing) this.sniff(true)
    if (this.parser) {
      r.text = this.text
      if (!r.terminal || r.inBandError !== null) r.outcome = 'broken-stream'
      return
    }
    const raw = (this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks)) ?? Buffer.alloc(0)
    const body = raw.toString('utf8')
    if ((r.status ?? 0) >= 400) {
      r.outcome = 'http-error'
      r.errorBody = { ...this.dialect.family.errorShape(body), contentType: this.contentType || null }
      r.bodyHead = head(raw)
      return
    }
    r.ttftMs = this.now() - r.intendedAt
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      r.bodyError = this.contentType.includes('json')
        ? 'invalid-json'
        : `not-json (${this.contentType || 'no content-type'})`
    }
    const meaning = parsed === undefined ? undefined : this.dialect.client.interpretBody(parsed)
    if (parsed !== undefined && !meaning) r.bodyError = 'unexpected-shape'
    if (r.bodyError !== null) r.bodyHead = head(raw)
    if (meaning) {
      const facts = answerFacts(parsed)
      r.usage = facts.usage ?? null
      r.answerModel = facts.model ?? null
      r.text = meaning.text
      r.finishReason = meaning.finish
      r.terminal = true
    }
  }

  /** The exchange broke: keep what text (or first bytes) arrived; a 2xx stream cut after its headers is broken. */
  fail(timedOut: boolean): void {
    const r = this.record
    if (this.text) r.text = this.text
    if (this.chunks.length > 0) r.bodyHead = head(Buffer.concat(this.chunks))
    r.outcome = timedOut
      ? 'timeout'
      : r.stream && r.status !== null && r.status >= 200 && r.status < 300
        ? 'broken-stream'
        : 'network-error'
  }
}

const HEAD_BYTES = 120
const head = (raw: Buffer): string => raw.subarray(0, HEAD_BYTES).toString('utf8')

const SSE_STARTS = ['data:', 'event:', 'id:', 'retry:', ':']

/**
 * Whether a body is server-sent events, whatever its content-type: true when it starts (after blank space) with an
 * SSE field or comment, false when it cannot, undefined while too few bytes have come to tell.
 */
export function sniffSse(body: string): boolean | undefined {
  const text = body.trimStart()
  if (text === '') return undefined
  if (SSE_STARTS.some((p) => text.startsWith(p))) return true
  return SSE_STARTS.some((p) => p.startsWith(text)) ? undefined : false
}

/**
 * What a client deadline cut off, for the record's error: whether the request ever got a connection, and what had
 * arrived. Names brownout's own lag when its loop ran the deadline late (a busy harness, not the SUT).
 */
export function deadlineMessage(timeoutMs: number, record: ClientRecord, sent: boolean, lateMs: number): string {
  let what: string
  if (!sent) what = 'before a connection was free (request never sent)'
  else {
    const head = record.status === null ? 'no response headers' : `status ${record.status}`
    what = record.stream ? `(${head}, ${record.events} events received)` : `(${head}, ${record.bytes} bytes received)`
  }
  const late = lateMs >= LATE_TIMER_MS ? `; brownout's event loop ran the deadline ${Math.round(lateMs)} ms late` : ''
  return `client deadline ${timeoutMs} ms passed ${what}${late}`
}

/** Origin and path of each URL the driver sends to (a handful per run), parsed once. */
const targets = new Map<string, { origin: string; path: string }>()
export function targetOf(url: string): { origin: string; path: string } {
  let t = targets.get(url)
  if (!t) {
    const u = new URL(url)
    t = { origin: u.origin, path: `${u.pathname}${u.search}` }
    if (targets.size > 1000) targets.clear()
    targets.set(url, t)
  }
  return t
}

/**
 * Calls `handler` when the run stops; returns the unsubscribe. One abort listener per stop signal fans out to the
 * requests in flight (an EventTarget listener each is slow, and thousands of them draw warnings).
 */
const stopHandlers = new WeakMap<AbortSignal, Set<() => void>>()
export function onStop(signal: AbortSignal, handler: () => void): () => void {
  let handlers = stopHandlers.get(signal)
  if (!handlers) {
    const set = new Set<() => void>()
    handlers = set
    stopHandlers.set(signal, set)
    signal.addEventListener('abort', () => {
      for (const h of set) h()
    })
  }
  handlers.add(handler)
  return () => handlers.delete(handler)
}

/**
 * Sends one logical request and reads its whole answer, event by event for streams. Uses undici's dispatch
 * handlers directly (no stream object per response): the driver's hot path. Never throws.
 */
/** What the client sends, digested as the upstream digests what it receives (the pass-through checks compare). */
function sentDigest(built: BuiltRequest, stream: boolean) {
  let body: unknown
  try {
    body = JSON.parse(built.body)
  } catch {
    body = undefined
  }
  return requestDigest(body, stream, Object.keys(built.headers))
}

export function sendOne(
  ctx: SendContext,
  base: RecordBase,
  template: RequestTemplate,
  url: string,
  built: BuiltRequest,
): Promise<ClientRecord> {
  const now = () => ctx.clock.now() - ctx.startMs
  const record = emptyRecord(base, Math.max(0, now() - base.intendedAt))
  // What the pass-through checks compare; absent from records brownout did not read itself (client mode).
  record.sent = sentDigest(built, base.stream)
  record.usage = null
  record.answerModel = null
  const reader = new ResponseReader(record, template.api, now)
  const target = targetOf(url)
  const sentAt = now()
  return new Promise((resolve) => {
    let controller: Dispatcher.DispatchController | undefined
    let abortWith: Error | undefined
    let timedOut: string | undefined
    let abandonedAt: number | undefined
    let settled = false
    const abort = (err: Error) => {
      abortWith = err
      if (controller && !controller.aborted) controller.abort(err)
    }
    const expire = (lateMs: number) => {
      if (settled) return
      timedOut = deadlineMessage(ctx.timeoutMs, record, controller !== undefined, lateMs)
      const err = new Error(timedOut)
      ctx.lag?.deadline(lateMs, controller !== undefined)
      // Still waiting for a connection of the pool: nothing was sent, nothing can arrive. Settle now (undici aborts
      // it when a connection frees) instead of when the pool gets to it, maybe long after the deadline.
      if (controller) abort(err)
      else {
        abortWith = err
        settle(err)
      }
    }
    // A loop that was blocked runs its expired timers before it reads the sockets: an answer the kernel already
    // holds would be cut off unread. Then setImmediate runs after the next poll, once what arrived has been read.
    // An idle loop wakes for I/O as it arrives, so a timer on time has nothing unread to wait for.
    const timer = setTimeout(() => {
      const lateMs = Math.max(0, now() - sentAt - ctx.timeoutMs)
      if (lateMs < ON_TIME_MS) expire(lateMs)
      else setImmediate(expire, lateMs)
    }, ctx.timeoutMs)
    const unlisten = onStop(ctx.signal, () => abort(new Error('run stopped')))
    // load.cancel: the client gives up, as a user closing the tab does; what arrived until then is kept.
    const abandon = () => {
      // A stream whose terminal event arrived is complete: there is nothing left to give up on.
      if (settled || abandonedAt !== undefined || record.terminal) return
      abandonedAt = now()
      const err = new Error('abandoned by the client (load.cancel)')
      if (controller) abort(err)
      else {
        abortWith = err
        settle(err)
      }
    }
    const afterChunks = ctx.cancel?.afterChunks
    const cancelTimer = ctx.cancel?.afterMs === undefined ? undefined : setTimeout(abandon, ctx.cancel.afterMs)
    const settle = (error?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (cancelTimer) clearTimeout(cancelTimer)
      unlisten()
      if (error && abandonedAt !== undefined) {
        reader.fail(false)
        record.outcome = 'abandoned'
        record.abandonedAtMs = abandonedAt
        record.error = `gave up ${Math.round(abandonedAt - sentAt)} ms after sending (load.cancel)`
      } else if (error) {
        reader.fail(timedOut !== undefined)
        const e = error as Error & { code?: string; cause?: { code?: string } }
        record.error = timedOut
          ? timedOut
          : ctx.signal.aborted
            ? 'run-stopped'
            : (e.code ?? e.cause?.code ?? e.name ?? 'error')
      }
      record.latencyMs = now() - base.intendedAt
      resolve(record)
    }
    ctx.dispatcher.dispatch(
      {
        origin: target.origin,
        path: target.path,
        method: 'POST',
        headers: built.headers,
        body: built.body,
      },
      {
        onRequestStart: (c) => {
          controller = c
          if (abortWith) c.abort(abortWith)
        },
        onResponseStart: (_c, statusCode, headers) =>
          reader.start(statusCode, headers as Record<string, string | string[] | undefined>),
        onResponseData: (_c, chunk) => {
          reader.data(chunk)
          if (afterChunks !== undefined && record.events >= afterChunks) abandon()
        },
        onResponseEnd: () => {
          reader.end()
          settle()
        },
        onResponseError: (_c, err) => settle(err),
      },
    )
  })
}
