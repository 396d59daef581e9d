import { eventReader, obj, str } from '../client-shared.js'
import type { DialectClient, EventMeaning } from '../dialect.js'

const readChunk = eventReader((data) => {
  const choice = obj((data.choices as unknown[] | undefined)?.[0])
  const meaning: EventMeaning = {}
  const content = str(obj(choice?.delta)?.content)
  if (content) meaning.text = content
  const finish = str(choice?.finish_reason)
  if (finish) meaning.finish = finish
  return meaning
})

/** The client side of chat completions: `messages`, `stream_options.include_usage`, chunks ending in `[DONE]`. */
export const chatClient: DialectClient = {
  defaultPath: () => '/v1/chat/completions',
  authHeaders: { authorization: 'Bearer sk-brownout' },
  body: (req, content) => ({
    model: req.model,
    messages: [{ role: 'user', content }],
    ...(req.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
  }),
  streams: true,
  hasExpectedText: true,
  sdkBaseUrl: (origin) => `${origin}/v1`,
  interpretEvent: (ev) => (ev.data === '[DONE]' ? { terminal: true } : readChunk(ev)),
  interpretBody: (body) => {
    const choice = obj((obj(body)?.choices as unknown[] | undefined)?.[0])
    if (!choice) return undefined
    return { text: str(obj(choice.message)?.content) ?? null, finish: str(choice.finish_reason) ?? null }
  },
}
