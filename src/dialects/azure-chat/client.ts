import type { DialectClient } from '../dialect.js'
import { chatClient } from '../openai-chat/client.js'

/** The api-version brownout's requests name (Azure OpenAI's GA version the SDK documents). */
export const AZURE_API_VERSION = '2024-10-21'

/**
 * Chat completions spoken to Azure OpenAI: the model is the deployment in the path, `api-version` is required, the
 * key goes in `api-key`. Bodies and answers are OpenAI's.
 */
export const azureChatClient: DialectClient = {
  ...chatClient,
  defaultPath: (req) =>
    `/openai/deployments/${encodeURIComponent(req.model)}/chat/completions?api-version=${AZURE_API_VERSION}`,
  authHeaders: { 'api-key': 'brownout-azure-key' },
  // AzureOpenAI takes the resource's origin as `endpoint` and adds /openai/deployments/… itself.
  sdkBaseUrl: (origin) => origin,
}
