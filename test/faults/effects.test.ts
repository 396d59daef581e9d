import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { composeEffects, type Effect } from '../../src/faults/effect.js'
import { defineFault } from '../../src/faults/fault.js'
import { registerFault } from '../../src/faults/registry.js'
import type { Rule } from '../../src/faults/rules.js'
import { attemptFailure } from '../../src/grade/context.js'
import { grade } from '../../src/grade/grade.js'
import type { JournalEntry } from '../../src/upstream/journal.js'
import { rec, run } from '../grade/builders.js'
import { chatBody, journalEntry, withUpstream } from '../helpers.js'

const chat = '/v1/chat/completions'

/** Sends one request (with faults in the x-brownout-fault header) and reads whatever comes back. */
async function send(url: string, id: string, faults?: unknown, extra: Record<string, unknown> = {}): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (faults !== undefined) headers['x-brownout-fault'] = JSON.stringify(faults)
  try {
    const res = await request(`${url}${chat}`, { method: 'POST', headers, body: chatBody(id, extra) })
    await res.body.text()
  } catch {
    // resets and cuts are what some of these faults do
  }
}

describe('the journal records the effect the fired faults declared', () => {
  it('one per fault, composed in order (the last that is not none), none when no fault fired', () =>
    withUpstream({ header_faults: true, latency: { ttft: '1ms', itl: '1ms' } }, async (up) => {
      const cases: Array<[string, unknown, Effect]> = [
        ['no-fault', undefined, 'none'],
        ['quota', { type: 'quota' }, 'fatal'],
        ['error-400', { type: 'error', status: 400 }, 'fatal'],
        ['error-503', { type: 'error', status: 503 }, 'transient'],
        ['error-409', { type: 'error', status: 409 }, 'transient'],
        ['reset-before', { type: 'reset' }, 'transient'],
        ['reset-after-headers', { type: 'reset', at: 'after-headers' }, 'mid-stream'],
        ['cut', { type: 'stream-cut', after: 2 }, 'mid-stream'],
        ['delay', { type: 'delay', duration: '1ms' }, 'none'],
        [
          '503-then-reset',
          [
            { type: 'error', status: 503 },
            { type: 'reset', at: 'after-headers' },
          ],
          'transient',
        ],
        [
          'cut-then-delay',
          [
            { type: 'stream-cut', after: 2 },
            { type: 'delay', duration: '1ms' },
          ],
          'mid-stream',
        ],
        ['quota-then-reset', [{ type: 'quota' }, { type: 'reset', at: 'after-headers' }], 'transient'],
      ]
      for (const [id, faults] of cases) await send(up.url, `eff-${id}`, faults, { stream: true })
      const journaled = await Promise.all(cases.map(([id]) => journalEntry(up, `eff-${id}`)))
      expect(journaled.map((e) => [e.requestId, e.effect])).toEqual(cases.map(([id, , want]) => [`eff-${id}`, want]))
      const listed = (await (await fetch(`${up.url}/_brownout/journal?id=eff-quota`)).json()) as {
        entries: JournalEntry[]
      }
      expect(listed.entries.map((e) => e.effect)).toEqual(['fatal'])
    }))

  it('a request the overload model sheds is transient', () =>
    withUpstream(
      { capacity: { max_concurrency: 1, queue: 0 }, latency: { ttft: '1ms', itl: '1ms' }, header_faults: true },
      async (up) => {
        // The first holds the only slot: its headers came, then the stream stalls until the client leaves.
        const controller = new AbortController()
        const first = await request(`${up.url}${chat}`, {
          method: 'POST',
          headers: { 'x-brownout-fault': JSON.stringify({ type: 'stream-stall', after: 1 }) },
          body: chatBody('shed-holder', { stream: true }),
          signal: controller.signal,
        })
        expect(first.statusCode).toBe(200)
        await send(up.url, 'shed-1')
        controller.abort()
        await first.body.text().catch(() => undefined)
        expect(await journalEntry(up, 'shed-1')).toMatchObject({
          status: 503,
          faults: ['queue-full'],
          effect: 'transient',
        })
      },
    ))
})

/** A test-only fault: a 200 with an empty body, as a broken proxy may answer. Nothing in grade/ knows its name. */
const emptyAnswer = defineFault({
  type: 'test-empty-answer',
  summary: 'A 200 with an empty body: the provider answered nothing',
  example: { type: 'test-empty-answer' },
  effect: { effect: 'transient', content: 'none' },
  schema: z.strictObject({ type: z.literal('test-empty-answer') }),
  apply: (_cfg, plan) => ({
    ...plan,
    headers: { ...plan.headers, 'content-type': 'application/json', 'content-length': '0' },
    steps: [{ kind: 'end', atMs: plan.headersAtMs ?? 0 }],
  }),
})

describe('a fault added without touching grade/', () => {
  it('is journaled with its declared effect and graded as the failure it declares', async () => {
    const unregister = registerFault(emptyAnswer)
    try {
      await withUpstream({}, async (up) => {
        up.faults.replace([{ when: { attempt: 1 }, fault: { type: 'test-empty-answer' } } as unknown as Rule])
        await send(up.url, 'new-1')
        await send(up.url, 'new-1')
        const first = up.journal.list({ id: 'new-1' })[0]
        expect(first).toMatchObject({ status: 200, endedBy: 'end', faults: ['test-empty-answer'], effect: 'transient' })
        if (!first) throw new Error('no first attempt')
        expect(attemptFailure(first)).toBe('transient')
        // Read by fault name (as journals saved before effects are), the same attempt is no failure at all.
        const { effect: _declared, ...byName } = first
        expect(attemptFailure(byName)).toBeNull()
        const graded = grade(run([rec('new-1')], up.journal.list()))
        expect(graded.checks.find((c) => c.key === 'retries.transient_retried')).toMatchObject({
          verdict: 'pass',
          value: 1,
          evidence: '1 of 1 transient failures retried',
        })
      })
    } finally {
      unregister()
    }
  })
})

describe('composing effects', () => {
  const fatal = { effect: 'fatal', content: 'none' } as const
  const none = { effect: 'none', content: 'all' } as const
  const broken = { effect: 'mid-stream', content: 'prefix' } as const

  it('a later effect replaces an earlier one; none keeps what came before', () => {
    expect(composeEffects(none, broken)).toEqual(broken)
    expect(composeEffects(broken, fatal)).toEqual(fatal)
    expect(composeEffects(fatal, none)).toEqual(fatal)
  })
})
