// Grades a synthetic run of 1,000,000 upstream attempts (500,000 requests, each failing once then succeeding)
// and prints time and peak memory as JSON. Run in its own process so the numbers are its own.
import { grade } from '../src/grade/grade.js'
import type { ClientRecord } from '../src/load/record.js'
import { scenarioSchema } from '../src/scenario/schema.js'
import type { JournalEntry } from '../src/upstream/journal.js'

const REQUESTS = Number(process.argv[2] ?? 500_000)
const START = 1_800_000_000_000
const scenario = scenarioSchema.parse({
  name: 'million',
  upstreams: { primary: { faults: [{ when: { attempt: 1 }, fault: { type: 'error', status: 503 } }] } },
  phases: [{ name: 'steady', duration: 600_000 }],
})
const records: ClientRecord[] = []
const journal: JournalEntry[] = []
for (let n = 0; n < REQUESTS; n++) {
  const id = `brn-m-${n}`
  const at = (n / REQUESTS) * 600_000
  records.push({
    id,
    n,
    api: 'openai.chat',
    model: 'm',
    stream: false,
    maxTokens: 16,
    phase: 'steady',
    intendedAt: at,
    sendLagMs: 0.1,
    outcome: 'ok',
    status: 200,
    latencyMs: 120,
    ttftMs: 120,
    gapsMs: [],
    events: 0,
    terminal: true,
    inBandError: null,
    finishReason: 'length',
    text: null,
    errorBody: null,
    bodyError: null,
    error: null,
    headers: {},
    bytes: 600,
  })
  const base = {
    upstream: 'primary',
    requestId: id,
    idSource: 'header' as const,
    method: 'POST',
    path: '/v1/chat/completions',
    provider: 'openai' as const,
    model: 'm',
    stream: false,
    errorType: null,
    bytes: 100,
    durationMs: 5,
    firstByteMs: 4,
    stainlessRetryCount: null,
    clientDisconnected: false,
    endedBy: 'end' as const,
    retryAfterMs: null,
  }
  journal.push({
    ...base,
    seq: 2 * n + 1,
    attempt: 1,
    upstreamAttempt: 1,
    receivedAt: START + at + 1,
    status: 503,
    rule: '0',
    faults: ['error'],
  })
  journal.push({
    ...base,
    seq: 2 * n + 2,
    attempt: 2,
    upstreamAttempt: 2,
    receivedAt: START + at + 50 + (n % 97),
    status: 200,
    rule: null,
    faults: [],
  })
}
let peak = process.memoryUsage().rss
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss)
}, 20)
const before = process.memoryUsage().rss
const t0 = performance.now()
const result = grade({
  meta: {
    schema: 'brownout.run/1',
    brownout: 'bench',
    node: process.version,
    scenario: { name: 'million', description: '', file: null },
    seed: 1,
    runId: 'm',
    loadStartedAt: START,
    durationMs: 600_000,
    phases: [{ name: 'steady', startMs: 0, endMs: 600_000 }],
    sut: { mode: 'target', url: 'x', aliveAfter: true },
    upstreams: {},
    counts: { requests: REQUESTS, attempts: journal.length, notSent: 0, byOutcome: {}, journalDropped: 0 },
    complete: true,
    stopReason: null,
  },
  scenario,
  records,
  journal,
})
const seconds = (performance.now() - t0) / 1000
peak = Math.max(peak, process.memoryUsage().rss)
clearInterval(sampler)
console.log(
  JSON.stringify({
    attempts: journal.length,
    requests: REQUESTS,
    seconds,
    rssBeforeMiB: before / 2 ** 20,
    peakRssMiB: peak / 2 ** 20,
    checks: result.checks.length,
    passed: result.passed,
  }),
)
