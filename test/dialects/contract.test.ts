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
 * What each fault's example does to a plain and a streamed request. (To be read from the faults' `effect`
 * declarations once they land; until then a fault missing here fails the suite rather than passing unchecked.)
 */
const EXPECTED: Record<string, { plain: Kind; stream: Kind }> = {
  delay: { plain: 'pass', stream: 'pass' },
  error: { plain: 'error', stream: 'error' },
  'rate-limit': { plain: 'error', stream: 'error' },
  quota: { plain: 'error', stream: 'error' },
  overloaded: { plain: 'error', stream: 'error' },
  reset: { plain: 'cut', stream: 'cut' },
  close: { plain: 'cut', stream: 'cut' },
  hang: { plain: 'cut', stream: 'cut' },
  garbage: { plain: 'cut', stream: 'cut' },
  malformed: { plain: 'bad-body', stream: 'bad-body' },
  'stream-cut': { plain: 'pass', stream: 'cut' },
  'stream-stall': { plain: 'pass', stream: 'cut' },
  'stream-error': { plain: 'pass', stream: 'in-band' },
  'stream-malformed': { plain: 'pass', stream: 'pass' },
  slow: { plain: 'pass', stream: 'pass' },
}

/** Faster parameters for examples whose time grows with the body (a 30 KB embedding at 2 KB/s) or is long. */
const QUICKER: Record<string, Record<string, unknown>> = {
  delay: { duration: '200ms' },
  slow: { bytes_per_second: 200_000 },
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
    for (const { fault, stream, id, record } of await Promise.all(runs)) {
      const want = EXPECTED[fault]?.[stream ? 'stream' : 'plain']
      const got = kindOf(record)
      if (want === undefined) problems.push(`${fault}: no expected kind declared`)
      else if (got !== want)
        problems.push(
          `${fault} ${stream ? 'stream' : 'plain'}: ${got}, expected ${want} (${record.outcome} ${record.error ?? ''})`,
        )
      else if (got === 'pass' && dialect.client.hasExpectedText && record.text !== expectedText(id))
        problems.push(`${fault} ${stream ? 'stream' : 'plain'}: passed through with other text`)
    }
    expect(problems).toEqual([])
  })
})
