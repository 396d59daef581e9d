import { bodyFacts, defineDialect } from '../dialect.js'
import { openaiFamily } from '../families/openai.js'
import { embeddingsClient } from './client.js'
import { embeddings } from './server.js'

/** OpenAI embeddings: `POST /v1/embeddings`, deterministic unit vectors, never a stream. */
export const openaiEmbeddings = defineDialect({
  api: 'openai.embeddings',
  family: openaiFamily,
  routes: [{ method: 'POST', path: '/v1/embeddings', handle: embeddings }],
  requestFacts: bodyFacts,
  streamError: openaiFamily.streamError,
  malformedFrame: openaiFamily.malformedFrame,
  client: embeddingsClient,
})
