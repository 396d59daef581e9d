import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import { issueLines } from '../config/problems.js'
import { bodyFacts } from '../dialects/dialect.js'
import { familyById, familyOfHeaders } from '../dialects/families.js'
import { requestDigest } from '../dialects/passthrough.js'
import { parseQuery } from '../dialects/route.js'
import { familyWire } from '../dialects/wire.js'
import { type FaultConfig, faultSchema } from '../faults/registry.js'
import { applyFaults, type FaultEngine, type FiredFaults } from '../faults/rules.js'
import { completeEntry, type LiveAttempt, OpenAttempt } from './attempt-entry.js'
import { type BodyResult, readBody } from './body.js'
import { findRequestId } from './correlation.js'
import { decide } from './decide.js'
import { type Exchange, header, type UpstreamRuntime } from './exchange.js'
import { faultScene } from './fault-scene.js'
import type { Journal, JournalEntry, RequestBody } from './journal.js'
import type { UpstreamMetrics } from './metrics.js'
import { delayPlan, type Plan, type PlayResult, scalePlan } from './plan.js'
import { newPlayResult, play } from './player.js'
import { errorPlan } from './replies.js'
import { findRoute } from './router.js'
import type { CapacityGate, SharedState, Ticket } from './shared-state.js'

/** Everything one upstream's request handler shares. */
export interface UpstreamState {
  runtime: UpstreamRuntime
  journal: Journal
  /** Counters, buckets, slots and rules shared with every process serving this upstream (see SharedState). */
  shared: SharedState
  engine: FaultEngine
  capacity: CapacityGate | undefined
  metrics: UpstreamMetrics
  counters: { inFlight: number }
}

/** The faults of an attempt none fired on: one list for all of them (frozen: a fired fault replaces it). */
const NO_FAULTS: string[] = Object.freeze([]) as unknown as string[]

const headerFaultsSchema = z.union([faultSchema, z.array(faultSchema).min(1)])

function newEntry(
  state: UpstreamState,
  ex: Exchange,
  ticket: Ticket,
  req: IncomingMessage,
  idSource: JournalEntry['idSource'],
): JournalEntry {
  const retry = header(req.headers, 'x-stainless-retry-count')
  const retryCount = Number(retry)
  const entry: JournalEntry = {
    seq: ticket.seq,
    upstream: state.runtime.name,
    requestId: ex.requestId,
    idSource,
    attempt: ex.attempt,
    upstreamAttempt: ticket.upstreamAttempt,
    receivedAt: ex.arrivalMs,
    method: ex.method,
    path: ex.path,
    provider: ex.family.id,
    model: ex.model,
    stream: ex.stream,
    status: null,
    errorType: null,
    bytes: 0,
    durationMs: 0,
    firstByteMs: null,
    stainlessRetryCount: retry !== undefined && Number.isFinite(retryCount) ? retryCount : null,
    clientDisconnected: false,
    endedBy: 'end',
    rule: null,
    faults: NO_FAULTS,
    effect: 'none',
    retryAfterMs: null,
  }
  // Only when true: most requests are not prefills, and journals stay as they were.
  if (ex.prefill) entry.prefill = true
  return entry
}

/** Whether a request arrived whole: a GET needs no body; a POST needs one that was read to its end and parses. */
function requestBodyOf(method: string, body: BodyResult, raw: string, jsonError: string | undefined): RequestBody {
  if (body.kind === 'aborted') return 'incomplete'
  if (method === 'GET' || method === 'HEAD' || body.kind === 'too-large') return 'ok'
  if (raw.trim() === '') return 'empty'
  return jsonError === undefined ? 'ok' : 'invalid'
}

/** Faults asked for in the x-brownout-fault header (when enabled), or a 400 explaining what is wrong with it. */
function headerFaults(ex: Exchange, plan: Plan, seed: number): FiredFaults | undefined {
  const raw = header(ex.headers, 'x-brownout-fault')
  if (raw === undefined) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    parsed = undefined
  }
  const result = headerFaultsSchema.safeParse(parsed)
  if (!result.success) {
    const why = issueLines(result.error.issues, '', 'fault').join('; ')
    const message = `Invalid x-brownout-fault header: ${why}. Send JSON like {"type":"error","status":503}; see \`brownout list faults\`.`
    return { rule: 'header', faults: [], plan: errorPlan(ex, { status: 400, message }), effect: 'none', content: 'all' }
  }
  const faults = (Array.isArray(result.data) ? result.data : [result.data]) as FaultConfig[]
  return applyFaults(faults, 'header', ex, faultScene(ex), plan, seed)
}

/** The shed response when the overload model refuses a request: the provider's overload error. */
function shedPlan(ex: Exchange, reason: string): Plan {
  return errorPlan(ex, ex.family.overloaded(reason))
}

/** Serves one attempt: read, identify, admit, plan, apply faults, play, record. */
export async function handle(state: UpstreamState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { runtime } = state
  const { clock, config } = runtime
  const arrivalMs = clock.now()
  const method = req.method ?? 'GET'
  const path = (req.url ?? '/').split('?')[0] ?? '/'
  const query = parseQuery(req.url ?? '/')
  const found = findRoute(method, path, query)
  const dialect = found?.route.dialect
  const family = dialect?.family ?? familyOfHeaders(req.headers, familyById(config.provider))
  const body: BodyResult =
    method === 'GET' || method === 'HEAD' ? { kind: 'ok', raw: '' } : await readBody(req, config.max_body_bytes)
  const raw = body.kind === 'ok' ? body.raw : ''
  const idInfo = findRequestId(req.headers, raw)
  let parsed: unknown
  let jsonError: string | undefined
  if (raw.trim() !== '') {
    try {
      parsed = JSON.parse(raw)
    } catch (err) {
      jsonError = err instanceof Error ? err.message : 'invalid JSON'
    }
  }
  const params = found?.params ?? {}
  const facts = (dialect ?? { requestFacts: bodyFacts }).requestFacts({ body: parsed, params, query })
  const tokenCost = facts.promptTokens + (facts.maxTokens ?? config.content.max_tokens)
  // Only a request brownout would answer with generation is charged to the RPM/TPM buckets (see decide).
  const generates =
    body.kind !== 'too-large' &&
    found !== undefined &&
    found.methodOk &&
    jsonError === undefined &&
    found.route.generates
  const arrival = { requestId: idInfo?.id, generates, tokenCost }
  const ticket = state.shared.arriveNow ? state.shared.arriveNow(arrival) : await state.shared.arrive(arrival)
  const ex: Exchange = {
    upstream: runtime,
    family,
    wire: dialect ?? familyWire(family),
    method,
    path,
    headers: req.headers,
    params,
    query,
    body: parsed,
    model: facts.model,
    stream: facts.stream,
    prefill: facts.prefill,
    requestId: ticket.requestId,
    attempt: ticket.attempt,
    arrivalMs,
    tokenCost,
    limits: ticket.limits,
    refused: ticket.refused,
  }
  const entry = newEntry(state, ex, ticket, req, idInfo?.source ?? 'generated')
  entry.requestBody = requestBodyOf(method, body, raw, jsonError)
  if (entry.requestBody === 'ok' && method === 'POST')
    entry.received = requestDigest(parsed, ex.stream, Object.keys(req.headers))
  const live: LiveAttempt = { plan: undefined, progress: newPlayResult() }
  // Journaled at arrival: an attempt the SUT never lets end is still evidence (open, with what was sent so far).
  state.journal.open(entry.seq, new OpenAttempt(entry, live.progress, clock))
  let result: PlayResult = { bytes: 0, firstByteMs: null, endedBy: 'client', clientDisconnected: true }
  try {
    if (body.kind !== 'aborted')
      result = await serve(state, ex, entry, live, res, () => {
        const plan = decide(ex, found, body, jsonError)
        // A 400 before any fault is brownout's own validation: the request it got was not one it could serve.
        if (plan.status === 400 && entry.requestBody === 'ok') entry.requestBody = 'invalid'
        return plan
      })
  } finally {
    completeEntry(entry, live, result, clock.now())
    state.journal.record(entry)
    state.metrics.observe(entry)
  }
}

/** Admits, plans, applies faults and plays one attempt; the fault decision is written to `entry` as it is made. */
async function serve(
  state: UpstreamState,
  ex: Exchange,
  entry: JournalEntry,
  live: LiveAttempt,
  res: ServerResponse,
  decidePlan: () => Plan,
): Promise<PlayResult> {
  const { runtime } = state
  const { clock, config } = runtime
  let result: PlayResult = { bytes: 0, firstByteMs: null, endedBy: 'client', clientDisconnected: true }
  let admitted = false
  try {
    let base: Plan
    const admission = state.capacity
      ? await state.capacity.acquire(abortOnClose(res))
      : { ok: true as const, queuedMs: 0, factor: 1 }
    if (!admission.ok) {
      base = shedPlan(ex, admission.reason)
      entry.rule = 'capacity'
      entry.faults = [admission.reason]
      entry.effect = 'transient'
    } else {
      admitted = state.capacity !== undefined
      base = delayPlan(scalePlan(decidePlan(), admission.factor), admission.queuedMs)
    }
    const fired = admission.ok
      ? ((config.header_faults ? headerFaults(ex, base, runtime.seed) : undefined) ??
        state.engine.apply(ex, entry.seq, base, () => faultScene(ex)))
      : undefined
    if (fired) {
      entry.rule = fired.rule
      entry.faults = fired.faults
      entry.effect = fired.effect
    }
    live.plan = fired?.plan ?? base
    if (!res.destroyed) result = await play(res, live.plan, ex.arrivalMs, clock, state.metrics.lateness, live.progress)
  } catch (err) {
    live.plan = errorPlan(ex, {
      status: 500,
      type: 'internal_error',
      message: `brownout internal error: ${String(err)}`,
    })
    if (!res.headersSent && !res.destroyed) result = await play(res, live.plan, clock.now(), clock)
    else res.destroy()
  } finally {
    if (admitted) state.capacity?.release()
  }
  return result
}

/**
 * The last resort when handling a request threw before it could answer: a 500 `internal_error` (never a stack
 * trace) and a journal entry, the signal that brownout itself is broken.
 */
export async function internalError(
  state: UpstreamState,
  req: IncomingMessage,
  res: ServerResponse,
  err: unknown,
): Promise<void> {
  const { runtime } = state
  const now = runtime.clock.now()
  if (!res.headersSent && !res.destroyed) {
    const body = JSON.stringify({
      error: {
        message: `brownout internal error: ${err instanceof Error ? err.message : String(err)}`,
        type: 'internal_error',
        param: null,
        code: null,
      },
    })
    res
      .writeHead(500, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) })
      .end(body)
  } else res.destroy()
  const family = familyById(runtime.config.provider)
  const ticket = await state.shared.arrive({ requestId: undefined, generates: false, tokenCost: 0 })
  const ex: Exchange = {
    upstream: runtime,
    family,
    wire: familyWire(family),
    method: req.method ?? 'GET',
    path: (req.url ?? '/').split('?')[0] ?? '/',
    headers: req.headers,
    params: {},
    query: {},
    body: undefined,
    model: null,
    stream: false,
    prefill: false,
    requestId: `internal-${ticket.seq}`,
    attempt: 1,
    arrivalMs: now,
    tokenCost: 0,
    limits: ticket.limits,
    refused: undefined,
  }
  const entry = newEntry(state, ex, ticket, req, 'generated')
  entry.status = 500
  entry.errorType = 'internal_error'
  state.journal.record(entry)
}

/** Forgets what was served: journal, attempt counters, rate-limit buckets. */
export async function resetState(state: UpstreamState): Promise<void> {
  state.journal.clear()
  await state.shared.reset()
}

function abortOnClose(res: ServerResponse): AbortSignal {
  const controller = new AbortController()
  res.once('close', () => controller.abort())
  return controller.signal
}
