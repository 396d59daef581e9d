import type { Exchange } from '../../upstream/exchange.js'
import type { Plan } from '../../upstream/plan.js'
import { chatCompletions } from '../openai-chat/server.js'

/**
 * POST /openai/deployments/{deployment}/chat/completions?api-version=…: OpenAI's chat completions, where the
 * deployment in the path names the model. The SDK's AzureOpenAI client, bound to a deployment, may send an empty
 * `model` (or another name): Azure answers for the deployment either way.
 */
export function azureChatCompletions(ex: Exchange): Plan {
  const body = ex.body
  if (!body || typeof body !== 'object' || Array.isArray(body)) return chatCompletions(ex)
  return chatCompletions({ ...ex, body: { ...body, model: ex.params.deployment ?? '' } })
}
