import { eventReader, obj, str } from '../client-shared.js'
import type { DialectClient } from '../dialect.js'

/** The client side of the Responses API: `input`, typed events through `response.completed`. */
export const responsesClient: DialectClient = {
  defaultPath: () => '/v1/responses',
  authHeaders: { authorization: 'Bearer sk-brownout' },
  body: (req, content) => ({
    model: req.model,
    input: content,
    ...(req.stream ? { stream: true } : {}),
    ...(req.maxTokens !== undefined ? { max_output_tokens: req.maxTokens } : {}),
  }),
  streams: true,
  hasExpectedText: true,
  sdkBaseUrl: (origin) => `${origin}/v1`,
  interpretEvent: eventReader((data) => {
    if (data.type === 'response.output_text.delta') return { text: str(data.delta) ?? '' }
    if (data.type === 'response.completed') return { terminal: true, finish: 'completed' }
    if (data.type === 'response.incomplete') return { terminal: true, finish: 'incomplete' }
    if (data.type === 'response.failed') return { terminal: true, error: 'response.failed' }
    return {}
  }),
  interpretBody: (body) => {
    const data = obj(body)
    if (!data || !Array.isArray(data.output)) return undefined
    const text = (data.output as unknown[])
      .flatMap((item) => (Array.isArray(obj(item)?.content) ? (obj(item)?.content as unknown[]) : []))
      .map((part) => str(obj(part)?.text) ?? '')
      .join('')
    return { text, finish: str(data.status) ?? null }
  },
}
