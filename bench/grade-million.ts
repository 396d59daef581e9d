// A synthetic saved run of 1,000,000 upstream attempts (500,000 requests, each failing once then succeeding),
// graded the way `brownout report <dir>` grades it. Two steps, so the numbers are the grader's own:
//   grade-million.ts write <dir> [requests]   writes run.json, scenario.json, requests.jsonl, journal.jsonl
//   grade-million.ts grade <dir>              loads and grades it; prints time and peak memory as JSON
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { grade } from '../src/grade/grade.js'
import type { ClientRecord } from '../src/load/record.js'
import { RUN_SCHEMA_VERSION, type RunMeta } from '../src/record/meta.js'
import { loadRun } from '../src/record/saved.js'
import { scenarioSchema } from '../src/scenario/schema.js'
import type { JournalEntry } from '../src/upstream/journal.js'

const [mode, dir = '', count] = process.argv.slice(2)
const START = 1_800_000_000_000

/** Appends lines to a file in batches. */
function lineWriter<T>(file: string): { add(value: T): void; close(): void } {
  const fd = openSync(file, 'w')
  let batch: string[] = []
  const flush = () => {
    writeSync(fd, `${batch.join('\n')}\n`)
    batch = []
  }
  return {
    add(value) {
      batch.push(JSON.stringify(value))
      if (batch.length === 10_000) flush()
    },
    close() {
      if (batch.length > 0) flush()
      closeSync(fd)
    },
  }
}

function write(requests: number): void {
  mkdirSync(dir, { recursive: true })
  const scenario = scenarioSchema.parse({
    name: 'million',
    upstreams: { primary: { faults: [{ when: { attempt: 1 }, fault: { type: 'error', status: 503 } }] } },
    phases: [{ name: 'steady', duration: 600_000 }],
  })
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify(scenario))
  writeFileSync(
    join(dir, 'run.json'),
    JSON.stringify({
      schema: `brownout.run/${RUN_SCHEMA_VERSION}`,
      schemaVersion: RUN_SCHEMA_VERSION,
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
      counts: { requests, attempts: 2 * requests, notSent: 0, byOutcome: {}, journalDropped: 0 },
      complete: true,
      stopReason: null,
    } satisfies RunMeta),
  )
  const records = lineWriter<ClientRecord>(join(dir, 'requests.jsonl'))
  const journal = lineWriter<JournalEntry>(join(dir, 'journal.jsonl'))
  for (let n = 0; n < requests; n++) {
    const id = `brn-m-${n}`
    const at = (n / requests) * 600_000
    records.add({
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
      bodyHead: null,
      streamContentType: null,
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
    journal.add({
      ...base,
      seq: 2 * n + 1,
      attempt: 1,
      upstreamAttempt: 1,
      receivedAt: START + at + 1,
      status: 503,
      rule: '0',
      faults: ['error'],
    })
    journal.add({
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
  records.close()
  journal.close()
}

function gradeSaved(): void {
  const t0 = performance.now()
  const data = loadRun(dir)
  const t1 = performance.now()
  const loadedRss = process.memoryUsage().rss
  const result = grade(data)
  const t2 = performance.now()
  console.log(
    JSON.stringify({
      attempts: data.journal.length,
      requests: data.records.length,
      loadSeconds: (t1 - t0) / 1000,
      gradeSeconds: (t2 - t1) / 1000,
      seconds: (t2 - t0) / 1000,
      loadedRssMiB: loadedRss / 2 ** 20,
      // Peak resident memory of this process, from the kernel (KiB).
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      checks: result.checks.length,
      passed: result.passed,
    }),
  )
}

if (mode === 'write') write(Number(count ?? 500_000))
else if (mode === 'grade') gradeSaved()
else throw new Error('usage: grade-million.ts write <dir> [requests] | grade <dir>')
