import { Agent } from 'undici'
import { describe, expect, it } from 'vitest'
import { systemClock } from '../src/clock.js'
import { loadSchema } from '../src/scenario/schema.js'
import { clientExecutor } from '../src/sut/client-mode.js'
import { sutProfileSchema } from '../src/sut/profile.js'

/** Runs a client program that prints its BROWNOUT_HEADERS once, for an OpenAI chat request; returns what it got. */
async function headersSeen(gateway?: Parameters<typeof clientExecutor>[3]): Promise<string | null> {
  const profile = sutProfileSchema.parse({
    name: 'echo-headers',
    kind: 'client',
    command: [process.execPath, '-e', 'process.stdout.write(process.env.BROWNOUT_HEADERS)'],
  })
  const { execute } = clientExecutor(profile, {}, undefined, gateway)
  const base = {
    id: 'brn-h-0',
    n: 0,
    api: 'openai.chat' as const,
    model: 'gpt-4o-mini',
    stream: false,
    maxTokens: null,
    phase: 'steady',
    intendedAt: 0,
  }
  const dispatcher = new Agent()
  const ctx = {
    dispatcher,
    clock: systemClock,
    startMs: systemClock.now(),
    timeoutMs: 5_000,
    signal: new AbortController().signal,
  }
  const built = { path: '/v1/chat/completions', headers: {}, body: '{}' }
  const record = await execute(ctx, base, loadSchema.parse({}).request, 'http://127.0.0.1:1', built)
  await dispatcher.close()
  return record.text
}

describe('a client program in front of a gateway', () => {
  it('gets the headers the gateway profile asks of every request, its API’s over the common ones', async () => {
    const text = await headersSeen({
      headers: { 'x-portkey-config': '{"provider":"openai"}', 'x-common': 'all' },
      apiHeaders: { 'openai.chat': { 'x-common': 'chat' }, 'anthropic.messages': { 'x-other': 'messages' } },
    })
    expect(JSON.parse(text ?? '')).toEqual({ 'x-portkey-config': '{"provider":"openai"}', 'x-common': 'chat' })
  })

  it('gets an empty object with no gateway in front', async () => {
    expect(await headersSeen()).toBe('{}')
  })
})
