import { type Dispatcher, request } from 'undici'
import type { Clock } from '../clock.js'
import type { RequestTemplate } from '../scenario/schema.js'
import { errorShape, interpretBody, interpretEvent } from './interpret.js'
import type { ClientRecord } from './record.js'
import type { BuiltRequest } from './request.js'
import { SseParser } from './sse.js'

const TEXT_CAP = 64 * 1024
const KEPT_HEADERS = [
  'retry-after',
  'retry-after-ms',
  'x-request-id',
  'request-id',
  'x-brownout-attempt',
  'content-type',
]

/** What the driver knows of a request before it is carried out. */
export type RecordBase = Pick<
  ClientRecord,
  'id' | 'n' | 'api' | 'model' | 'stream' | 'maxTokens' | 'phase' | 'intendedAt'
>

/** A record for a request that has not produced anything yet: every outcome field empty. */
export function emptyRecord(base: RecordBase, sendLagMs: number): ClientRecord {
  return {
    ...base,
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
}

function keptHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) {
    if (KEPT_HEADERS.includes(k) || k.startsWith('x-portkey') || k.startsWith('x-litellm'))
      out[k] = Array.isArray(v) ? v.join(', ') : (v ?? '')
  }
  return out
}

/** Sends one logical request and reads its whole answer, event by event for streams. Never throws. */
export async function sendOne(
  ctx: SendContext,
  base: RecordBase,
  template: RequestTemplate,
  url: string,
  built: BuiltRequest,
): Promise<ClientRecord> {
  const now = () => ctx.clock.now() - ctx.startMs
  const record = emptyRecord(base, Math.max(0, now() - base.intendedAt))
  // One controller and one timer per request (AbortSignal.any/timeout are costly at thousands of requests/s).
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, ctx.timeoutMs)
  const onStop = () => controller.abort()
  ctx.signal.addEventListener('abort', onStop, { once: true })
  const signal = controller.signal
  let text = ''
  try {
    const res = await request(url, {
      method: 'POST',
      headers: built.headers,
      body: built.body,
      dispatcher: ctx.dispatcher,
      signal,
    })
    record.status = res.statusCode
    record.headers = keptHeaders(res.headers)
    const contentType = String(res.headers['content-type'] ?? '')
    if (res.statusCode >= 400) {
      const raw = await res.body.text()
      record.bytes = Buffer.byteLength(raw)
      record.outcome = 'http-error'
      record.errorBody = { ...errorShape(template.api, raw), contentType: contentType || null }
    } else if (contentType.startsWith('text/event-stream')) {
      const parser = new SseParser()
      let lastToken: number | null = null
      for await (const chunk of res.body) {
        record.bytes += (chunk as Buffer).length
        for (const ev of parser.feed((chunk as Buffer).toString('utf8'))) {
          record.events++
          const meaning = interpretEvent(template.api, ev)
          if (meaning === 'unparseable') {
            record.bodyError ??= 'unparseable-event'
            continue
          }
          if (meaning.text !== undefined && meaning.text !== '') {
            const t = now()
            if (lastToken === null) record.ttftMs = t - base.intendedAt
            else record.gapsMs.push(Math.round((t - lastToken) * 100) / 100)
            lastToken = t
            if (text.length < TEXT_CAP) text += meaning.text
          }
          if (meaning.finish) record.finishReason = meaning.finish
          if (meaning.terminal) record.terminal = true
          if (meaning.error) record.inBandError = meaning.error
        }
      }
      record.text = text
    } else {
      const raw = await res.body.text()
      record.bytes = Buffer.byteLength(raw)
      record.ttftMs = now() - base.intendedAt
      let parsed: unknown
      try {
        parsed = JSON.parse(raw)
      } catch {
        record.bodyError = contentType.includes('json')
          ? 'invalid-json'
          : `not-json (${contentType || 'no content-type'})`
      }
      const meaning = parsed === undefined ? undefined : interpretBody(template.api, parsed)
      if (parsed !== undefined && !meaning) record.bodyError = 'unexpected-shape'
      if (meaning) {
        record.text = meaning.text
        record.finishReason = meaning.finish
        record.terminal = true
      }
    }
  } catch (err) {
    if (text) record.text = text
    const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } }
    if (timedOut) record.outcome = 'timeout'
    else record.outcome = 'network-error'
    record.error = e.code ?? e.cause?.code ?? e.name ?? 'error'
    if (ctx.signal.aborted && !timedOut) record.error = 'run-stopped'
  } finally {
    clearTimeout(timer)
    ctx.signal.removeEventListener('abort', onStop)
  }
  record.latencyMs = now() - base.intendedAt
  return record
}
