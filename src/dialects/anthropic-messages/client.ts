import { eventReader, obj, str } from '../client-shared.js'
import type { DialectClient } from '../dialect.js'

/** The client side of Anthropic messages: `max_tokens` required, typed events through `message_stop`. */
export const messagesClient: DialectClient = {
  defaultPath: () => '/v1/messages',
  authHeaders: { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-brownout' },
  body: (req, content) => ({
    model: req.model,
    max_tokens: req.maxTokens ?? 1024,
    messages: [{ role: 'user', content }],
    ...(req.stream ? { stream: true } : {}),
  }),
  streams: true,
  hasExpectedText: true,
  sdkBaseUrl: (origin) => origin,
  interpretEvent: eventReader((data) => {
    if (data.type === 'content_block_delta') {
      const text = str(obj(data.delta)?.text)
      return text ? { text } : {}
    }
    if (data.type === 'message_delta') {
      const finish = str(obj(data.delta)?.stop_reason)
      return finish ? { finish } : {}
    }
    if (data.type === 'message_stop') return { terminal: true }
    return {}
  }),
  interpretBody: (body) => {
    const data = obj(body)
    if (!data || !Array.isArray(data.content)) return undefined
    const text = (data.content as unknown[]).map((b) => str(obj(b)?.text) ?? '').join('')
    return { text, finish: str(data.stop_reason) ?? null }
  },
}
