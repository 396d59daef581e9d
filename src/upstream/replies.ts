import type { ErrorSpec } from '../dialects/error-spec.js'
import type { Exchange } from './exchange.js'
import { providerHeaders, providerRequestId } from './headers.js'
import type { Plan, Step } from './plan.js'

/** A complete error response in the family's shape, sent at `atMs`. Simulated provider errors are outcomes, never exceptions. */
export function errorPlan(ex: Exchange, spec: ErrorSpec, atMs = 0): Plan {
  const reply = ex.family.error(spec, { providerRequestId: providerRequestId(ex) })
  const body = JSON.stringify(reply.body)
  const headers = { ...providerHeaders(ex, 'application/json', atMs), ...spec.headers }
  headers['content-length'] = String(Buffer.byteLength(body))
  Object.assign(headers, reply.headers)
  const plan: Plan = {
    status: spec.status,
    headers,
    headersAtMs: atMs,
    steps: [
      { kind: 'write', atMs, data: body },
      { kind: 'end', atMs },
    ],
    errorType: reply.type,
  }
  // The wait the answer means in its form (a date rounds up to its second; garbage means none), else the spec's.
  const meant = reply.retryAfterMs === undefined ? spec.retryAfterMs : reply.retryAfterMs
  if (meant !== undefined && meant !== null) plan.retryAfterMs = meant
  return plan
}

/** A complete JSON success response, sent at `atMs`. */
export function jsonPlan(ex: Exchange, body: unknown, atMs: number): Plan {
  return jsonTextPlan(ex, JSON.stringify(body), atMs)
}

/**
 * A complete JSON success response whose body is already serialised; `usage`: the input and output tokens the
 * body reports, when the caller knows them (the journal then need not parse the body again).
 */
export function jsonTextPlan(
  ex: Exchange,
  data: string,
  atMs: number,
  usage?: { input: number | null; output: number | null },
): Plan {
  const headers = providerHeaders(ex, 'application/json', atMs)
  headers['content-length'] = String(Buffer.byteLength(data))
  const write: Step = usage
    ? { kind: 'write', atMs, data, usage: { data, input: usage.input, output: usage.output } }
    : { kind: 'write', atMs, data }
  return {
    status: 200,
    headers,
    headersAtMs: atMs,
    steps: [write, { kind: 'end', atMs }],
  }
}

/** A streaming success response: headers with the first frame, then each frame at its time, then the end. */
export function ssePlan(ex: Exchange, frames: Array<{ atMs: number; data: string }>): Plan {
  const first = frames[0]?.atMs ?? 0
  const last = frames[frames.length - 1]?.atMs ?? first
  return {
    status: 200,
    headers: providerHeaders(ex, 'text/event-stream; charset=utf-8', first),
    headersAtMs: first,
    steps: [...frames.map((f) => ({ kind: 'write' as const, ...f })), { kind: 'end', atMs: last }],
  }
}
