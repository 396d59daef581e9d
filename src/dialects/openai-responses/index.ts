import { bodyFacts, defineDialect } from '../dialect.js'
import { openaiFamily } from '../families/openai.js'
import { responsesClient } from './client.js'
import { responses } from './server.js'

/** OpenAI Responses: `POST /v1/responses`, one Response object or typed SSE events. */
export const openaiResponses = defineDialect({
  api: 'openai.responses',
  family: openaiFamily,
  routes: [{ method: 'POST', path: '/v1/responses', handle: responses }],
  requestFacts: bodyFacts,
  streamError: openaiFamily.streamError,
  malformedFrame: openaiFamily.malformedFrame,
  client: responsesClient,
})
