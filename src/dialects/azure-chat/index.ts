import { bodyFacts, defineDialect, type RequestParts } from '../dialect.js'
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
  // The deployment names the model; the rest is OpenAI chat's body.
  requestFacts: (ex: RequestParts) => ({ ...bodyFacts(ex), model: ex.params.deployment ?? null }),
  streamError: openaiFamily.streamError,
  malformedFrame: openaiFamily.malformedFrame,
  client: azureChatClient,
})
