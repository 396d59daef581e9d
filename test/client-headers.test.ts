import { describe, expect, it } from 'vitest'
import type { RequestMapping } from '../src/load/request.js'
import { runClientProgram } from './helpers.js'

/** What a client program in front of `gateway` gets in BROWNOUT_HEADERS, for an OpenAI chat request. */
async function headersSeen(gateway?: RequestMapping): Promise<string | null> {
  return (await runClientProgram('process.stdout.write(process.env.BROWNOUT_HEADERS)', gateway ? { gateway } : {})).text
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
