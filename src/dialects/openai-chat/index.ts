import { bodyFacts, defineDialect } from '../dialect.js'
import { openaiFamily } from '../families/openai.js'
import { chatClient } from './client.js'
import { chatCompletions } from './server.js'

/** OpenAI chat completions: `POST /v1/chat/completions`, streaming or not, text or a forced tool call. */
export const openaiChat = defineDialect({
  api: 'openai.chat',
  family: openaiFamily,
  routes: [{ method: 'POST', path: '/v1/chat/completions', handle: chatCompletions }],
  requestFacts: bodyFacts,
  streamError: openaiFamily.streamError,
  malformedFrame: openaiFamily.malformedFrame,
  client: chatClient,
})
