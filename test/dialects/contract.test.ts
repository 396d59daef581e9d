import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/clock.js'
import type { Dialect } from '../../src/dialects/dialect.js'
import { DIALECTS } from '../../src/dialects/registry.js'
import { FAULTS } from '../../src/faults/registry.js'
import type { ClientRecord } from '../../src/load/record.js'
import { buildRequest } from '../../src/load/request.js'
import { sendOne } from '../../src/load/send.js'
import { requestTemplateSchema } from '../../src/scenario/schema.js'
import { upstreamConfigSchema } from '../../src/upstream/config.js'
import { answerFor, answerText } from '../../src/upstream/content.js'
import { marker } from '../../src/upstream/correlation.js'
import type { JournalEntry } from '../../src/upstream/journal.js'
import { type RunningUpstream, startUpstream } from '../../src/upstream/server.js'
import { SDKS } from './sdk/index.js'

/**
 * The dialect contract: every registered dialect, through its own client side, a real upstream on 127.0.0.1 and
 * its official SDK. A dialect is covered by its registry line (and its SDK adapter in ./sdk/).
 */

const SEED = 42
const MAX_TOKENS = 16
/**
 * The client deadline: what a hang or a long stall (the stream-stall example: 30 s) ends at. Generous, so that
 * a pass-through on a busy machine is never read as a hang; only the hanging requests wait for it.
 */
const TIMEOUT_MS = 5_000
const CONTENT = upstreamConfigSchema.parse({}).content

let upstream: RunningUpstream
const agent = new Agent({ connections: 256 })

beforeAll(async () => {
  upstream = await startUpstream({ port: 0, seed: SEED, latency: { ttft: '2ms', itl: '1ms' }, header_faults: true })
})
afterAll(async () => {
  await upstream.close()
  await agent.close()
})

const expectedText = (id: string) => answerText(answerFor(SEED, id, MAX_TOKENS, CONTENT))
const streamModes = (d: Dialect) => (d.client.streams ? [false, true] : [false])

/** Sends one request the way the load driver does: built by the dialect's client side, read by it too. */
function send(d: Dialect, id: string, stream: boolean, fault?: unknown): Promise<ClientRecord> {
  const api = d.api as ClientRecord['api']
  const template = requestTemplateSchema.parse({
    api,
    model: SDKS[api].model,
    stream,
    max_tokens: MAX_TOKENS,
    headers: fault === undefined ? {} : { 'x-brownout-fault': JSON.stringify(fault) },
  })
  const built = buildRequest(template, id)
  const ctx = {
    dispatcher: agent,
    clock: systemClock,
    startMs: systemClock.now(),
    timeoutMs: TIMEOUT_MS,
    signal: new AbortController().signal,
  }
  const base = {
    id,
    n: 0,
    api,
    model: template.model,
    stream: stream && d.client.streams,
    maxTokens: MAX_TOKENS,
    phase: 'main',
    intendedAt: 0,
  }
  return sendOne(ctx, base, template, `${upstream.url}${built.path}`, built)
}

/** What a client makes of a response. */
type Kind = 'pass' | 'error' | 'in-band' | 'cut' | 'bad-body'

function kindOf(r: ClientRecord): Kind {
  if (r.outcome === 'timeout' || r.outcome === 'network-error') return 'cut'
  if (r.outcome === 'http-error') return r.errorBody?.wellFormed ? 'error' : 'bad-body'
  if (r.outcome === 'broken-stream') return r.inBandError !== null ? 'in-band' : 'cut'
  return r.bodyError === null ? 'pass' : 'bad-body'
}

/**
 * The kinds a client may make of an attempt, from the effect the upstream journaled for it: the fault's own
 * declaration (src/faults/effect.ts), the same field grading reads. No list of fault names: a new fault is covered
 * by its declaration.
 */
function kindsFor(e: JournalEntry): Kind[] {
  switch (e.effect ?? 'none') {
    case 'none':
      return ['pass']
    case 'fatal':
    case 'transient':
      // An error answer (in the family's shape, or not: an HTML 502), or no answer at all (a cut before the status
      // line, bytes that are not HTTP). The family's shapes are held to the SDK in the test above.
      return e.status !== null && e.status >= 400 ? ['error', 'bad-body'] : ['cut']
    case 'mid-stream':
      // A 2xx that broke: cut, an in-band error event, or a body the client cannot read.
      return ['cut', 'in-band', 'bad-body']
  }
}

/** The journal entry of a request's one attempt, ended or still open. */
async function attemptOf(id: string): Promise<JournalEntry | undefined> {
  await upstream.settled(1_000)
  return upstream.journal.list({ id })[0] ?? upstream.journal.openEntries({ id })[0]
}

/** Faster parameters for examples whose time grows with the body (a 30 KB embedding at 2 KB/s) or is long. */
const QUICKER: Record<string, Record<string, unknown>> = {
  delay: { duration: '200ms' },
  slow: { bytes_per_second: 200_000 },
  // A stall that resumes (effect none: the answer arrives late), within the client's deadline.
  'stream-stall': { duration: '300ms' },
}

describe.concurrent.each(DIALECTS.map((d) => [d.api, d] as const))('dialect contract: %s', (api, dialect) => {
  const sdk = SDKS[api]

  it('a request its client side builds is served and read back as the deterministic answer', async () => {
    const records = await Promise.all(streamModes(dialect).map((s) => send(dialect, `rt-${api}-${s}`, s)))
    for (const r of records) {
      expect(r.outcome, `${r.id}: ${r.error ?? r.bodyError ?? ''}`).toBe('ok')
      expect(r.terminal).toBe(true)
      expect(r.text).toBe(dialect.client.hasExpectedText ? expectedText(r.id) : null)
    }
  })

  it('its official SDK reads the same answer', async () => {
    for (const stream of streamModes(dialect)) {
      const id = `sdk-${api}-${stream}`
      const text = await sdk.call({
        baseURL: dialect.client.sdkBaseUrl(upstream.url),
        stream,
        headers: {},
        prompt: `hi ${marker(id)}`,
      })
      expect(text).toBe(dialect.client.hasExpectedText ? expectedText(id) : null)
    }
  })

  it("every error status of its family is raised by the SDK as that status's error class", async () => {
    const { family } = dialect
    const overload = family.overloaded()
    const cases: Array<{ fault: Record<string, unknown>; status: number; message?: string }> = [
      ...[400, 401, 404, 413, 429, 500, 503].map((status) => ({
        fault: { type: 'error', status },
        status,
        message: family.defaultMessage(status),
      })),
      { fault: { type: 'overloaded' }, status: overload.status, message: overload.message },
      { fault: { type: 'quota' }, status: 429 },
      { fault: { type: 'rate-limit', retry_after: '1s' }, status: 429 },
    ]
    const calls = cases.flatMap((c) =>
      streamModes(dialect).map(async (stream) => {
        const id = `err-${api}-${c.status}-${String(c.fault.type)}-${stream}`
        const error = await sdk
          .call({
            baseURL: dialect.client.sdkBaseUrl(upstream.url),
            stream,
            headers: { 'x-brownout-fault': JSON.stringify(c.fault) },
            prompt: `hi ${marker(id)}`,
          })
          .then(
            () => new Error('no error'),
            (e: unknown) => e,
          )
        const what = `${id}: ${String(error)}`
        expect(error, what).toBeInstanceOf(sdk.errorClassFor(c.status))
        expect((error as { status?: number }).status, what).toBe(c.status)
        if (c.message !== undefined) expect((error as Error).message, what).toContain(c.message)
      }),
    )
    await Promise.all(calls)
  })

  it('every fault, streamed and not, reaches its client side as the kind of failure it is', {
    timeout: 20_000,
  }, async () => {
    const runs = FAULTS.flatMap((fault) =>
      streamModes(dialect).map(async (stream) => {
        const id = `fault-${api}-${fault.type}-${stream}`
        const r = await send(dialect, id, stream, { ...fault.example, ...QUICKER[fault.type] })
        return { fault: fault.type, stream, id, record: r }
      }),
    )
    const problems: string[] = []
    const fired = new Set<string>()
    for (const { fault, stream, id, record } of await Promise.all(runs)) {
      const how = `${fault} ${stream ? 'stream' : 'plain'}`
      const entry = await attemptOf(id)
      if (!entry) {
        problems.push(`${how}: no attempt journaled`)
        continue
      }
      if (entry.faults.includes(fault)) fired.add(fault)
      const want = kindsFor(entry)
      const got = kindOf(record)
      if (!want.includes(got))
        problems.push(
          `${how}: ${got}, but its journaled effect ${entry.effect} (status ${entry.status}) means ${want.join(' or ')} (${record.outcome} ${record.error ?? ''})`,
        )
      else if (got === 'pass' && dialect.client.hasExpectedText && record.text !== expectedText(id))
        problems.push(`${how}: passed through with other text`)
    }
    expect(problems).toEqual([])
    // On a dialect that streams, every fault struck at least once (streamed or not): none is silently inapplicable.
    // (A dialect that never streams, embeddings, has nothing for the stream faults to strike.)
    if (dialect.client.streams) expect(FAULTS.map((f) => f.type).filter((t) => !fired.has(t))).toEqual([])
  })
})
