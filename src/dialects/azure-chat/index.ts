import { defineDialect, type RequestParts } from '../dialect.js'
import { openaiFamily } from '../families/openai.js'
import { azureChatClient } from './client.js'
import { azureChatCompletions } from './server.js'

/** Azure OpenAI chat completions (`azure.chat`): OpenAI's chat, routed by deployment, `api-version` required. */
export const azureChat = defineDialect({
  api: 'azure.chat',
  family: openaiFamily,
  routes: [
    {
      method: 'POST',
      path: '/openai/deployments/{deployment}/chat/completions',
      query: { 'api-version': true },
      handle: azureChatCompletions,
    },
  ],
  requestFacts: (ex: RequestParts) => ({
    model: ex.params.deployment ?? null,
    stream: (ex.body as { stream?: unknown } | undefined)?.stream === true,
  }),
  streamError: openaiFamily.streamError,
  malformedFrame: openaiFamily.malformedFrame,
  client: azureChatClient,
})
