import type { ClientRecord } from '../../src/load/record.js'
import type { RunData } from '../../src/record/run-data.js'
import { scenarioSchema } from '../../src/scenario/schema.js'
import { answerFor, answerText } from '../../src/upstream/content.js'
import type { JournalEntry } from '../../src/upstream/journal.js'

export const START = 1_800_000_000_000
const SEED = 9
const CONTENT = { min_tokens: 16, max_tokens: 64 }

export function expected(id: string, maxTokens: number | null = null): string {
  return answerText(answerFor(SEED, id, maxTokens ?? undefined, CONTENT))
}

/** A client record; by default a complete success. */
export function rec(id: string, over: Partial<ClientRecord> = {}): ClientRecord {
  return {
    id,
    n: 0,
    api: 'openai.chat',
    model: 'gpt-4o-mini',
    stream: true,
    maxTokens: null,
    phase: 'steady',
    intendedAt: 0,
    sendLagMs: 0,
    outcome: 'ok',
    status: 200,
    latencyMs: 100,
    ttftMs: 20,
    gapsMs: [],
    events: 10,
    terminal: true,
    inBandError: null,
    finishReason: 'stop',
    text: expected(id),
    errorBody: null,
    bodyError: null,
    bodyHead: null,
    streamContentType: null,
    error: null,
    headers: {},
    bytes: 100,
    ...over,
  }
}

export const failed = (id: string, status: number, over: Partial<ClientRecord> = {}) =>
  rec(id, {
    outcome: 'http-error',
    status,
    text: null,
    errorBody: { wellFormed: true, type: 'server_error', contentType: 'application/json' },
    ...over,
  })

let seq = 0
/** An upstream attempt at `atMs` after load start; by default a clean 200. */
export function att(id: string, attempt: number, atMs: number, over: Partial<JournalEntry> = {}): JournalEntry {
  return {
    seq: ++seq,
    upstream: 'primary',
    requestId: id,
    idSource: 'header',
    attempt,
    upstreamAttempt: attempt,
    receivedAt: START + atMs,
    method: 'POST',
    path: '/v1/chat/completions',
    provider: 'openai',
    model: 'gpt-4o-mini',
    stream: true,
    status: 200,
    errorType: null,
    bytes: 100,
    durationMs: 10,
    firstByteMs: 5,
    stainlessRetryCount: null,
    clientDisconnected: false,
    endedBy: 'end',
    rule: null,
    faults: [],
    retryAfterMs: null,
    ...over,
  }
}

export const fault503 = (id: string, attempt: number, atMs: number, over: Partial<JournalEntry> = {}) =>
  att(id, attempt, atMs, { status: 503, errorType: 'server_error', rule: '0', faults: ['error'], ...over })

/** Run data around hand-built records, with a scenario built from `scenario` (YAML-shaped input). */
export function run(
  records: ClientRecord[],
  journal: JournalEntry[],
  scenario: Record<string, unknown> = {},
  meta: Partial<RunData['meta']> = {},
): RunData {
  const parsed = scenarioSchema.parse({ name: 'hand-built', seed: SEED, upstreams: { primary: {} }, ...scenario })
  let t = 0
  const phases = parsed.phases.map((p) => {
    const w = { name: p.name, startMs: t, endMs: t + p.duration }
    t += p.duration
    return w
  })
  return {
    meta: {
      schema: 'brownout.run/2',
      schemaVersion: 2,
      brownout: 'test',
      node: 'test',
      scenario: { name: parsed.name, description: '', file: null },
      seed: SEED,
      runId: 'test',
      loadStartedAt: START,
      durationMs: t,
      phases,
      sut: { mode: 'target', url: 'http://gateway', aliveAfter: true },
      upstreams: {},
      counts: { requests: records.length, attempts: journal.length, notSent: 0, byOutcome: {}, journalDropped: 0 },
      complete: true,
      stopReason: null,
      ...meta,
    },
    scenario: parsed,
    records,
    journal,
  }
}
