import type { ApiName } from '../../../src/dialects/registry.js'
import type { SdkAdapter } from './adapter.js'
import { anthropicMessagesSdk } from './anthropic-messages.js'
import { azureChatSdk } from './azure-chat.js'
import { geminiEmbedSdk, geminiGenerateSdk } from './gemini.js'
import { openaiChatSdk } from './openai-chat.js'
import { openaiEmbeddingsSdk } from './openai-embeddings.js'
import { openaiResponsesSdk } from './openai-responses.js'

/** The official SDK of every registered dialect: a new registry line does not typecheck until it has one here. */
export const SDKS: Record<ApiName, SdkAdapter> = {
  'openai.chat': openaiChatSdk,
  'openai.responses': openaiResponsesSdk,
  'openai.embeddings': openaiEmbeddingsSdk,
  'anthropic.messages': anthropicMessagesSdk,
  'gemini.generate': geminiGenerateSdk,
  'gemini.embed': geminiEmbedSdk,
  'azure.chat': azureChatSdk,
}
