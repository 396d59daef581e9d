import { eventReader, obj } from '../client-shared.js'
import type { DialectClient } from '../dialect.js'

/** The client side of embeddings: no stream, no text (vectors), a `data` list. */
export const embeddingsClient: DialectClient = {
  defaultPath: () => '/v1/embeddings',
  authHeaders: { authorization: 'Bearer sk-brownout' },
  body: (req, content) => ({ model: req.model, input: content }),
  streams: false,
  hasExpectedText: false,
  sdkBaseUrl: (origin) => `${origin}/v1`,
  interpretEvent: eventReader(() => ({})),
  interpretBody: (body) => (Array.isArray(obj(body)?.data) ? { text: null, finish: 'stop' } : undefined),
}
