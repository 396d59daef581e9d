import type { DialectClient } from '../dialect.js'
import { readEmbedding } from '../families/gemini-read.js'
import { embedRequestBody, modelPath } from '../families/gemini-wire.js'

/** brownout's load driver asking Gemini for one embedding (`:embedContent`): vectors, no text, never a stream. */
export const geminiEmbedClient: DialectClient = {
  defaultPath: (req) => modelPath(req.model, 'embedContent'),
  authHeaders: { 'x-goog-api-key': 'brownout-fake-key' },
  body: (req, content) => embedRequestBody(req.model, content),
  streams: false,
  hasExpectedText: false,
  sdkBaseUrl: (origin) => origin,
  interpretEvent: () => 'unparseable',
  interpretBody: (body) => (readEmbedding(body) ? { text: null, finish: 'stop' } : undefined),
}
