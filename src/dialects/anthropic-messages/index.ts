import { bodyFacts, defineDialect } from '../dialect.js'
import { anthropicFamily } from '../families/anthropic.js'
import { messagesClient } from './client.js'
import { messages } from './server.js'

/** Anthropic messages: `POST /v1/messages`, streaming or not, text or a forced tool_use. */
export const anthropicMessages = defineDialect({
  api: 'anthropic.messages',
  family: anthropicFamily,
  routes: [{ method: 'POST', path: '/v1/messages', handle: messages }],
  requestFacts: bodyFacts,
  streamError: anthropicFamily.streamError,
  malformedFrame: anthropicFamily.malformedFrame,
  client: messagesClient,
})
