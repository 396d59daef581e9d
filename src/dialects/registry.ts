import { anthropicMessages } from './anthropic-messages/index.js'
import { azureChat } from './azure-chat/index.js'
import type { Dialect } from './dialect.js'
import { geminiEmbed } from './gemini-embed/index.js'
import { geminiGenerate } from './gemini-generate/index.js'
import { openaiChat } from './openai-chat/index.js'
import { openaiEmbeddings } from './openai-embeddings/index.js'
import { openaiResponses } from './openai-responses/index.js'

/**
 * Every API brownout speaks, one line each. `ApiName` (the `api` a scenario may name) derives from this list, the
 * upstream's router is built from its routes, and the dialect contract suite runs every entry.
 * To add an API: write its folder (copy a neighbour), then add its line here.
 */
export const DIALECTS = [
  openaiChat,
  openaiResponses,
  openaiEmbeddings,
  anthropicMessages,
  geminiGenerate,
  geminiEmbed,
  azureChat,
] as const satisfies readonly Dialect[]

export type ApiName = (typeof DIALECTS)[number]['api']

/** The API ids, in registry order (for schemas: `z.enum(API_NAMES)`). */
export const API_NAMES = DIALECTS.map((d) => d.api) as [ApiName, ...ApiName[]]

const byApi = new Map<string, Dialect>(DIALECTS.map((d) => [d.api, d]))

/** The dialect of an API id (one the schema accepted). */
export function dialectOf(api: ApiName): Dialect {
  const dialect = byApi.get(api)
  if (!dialect) throw new Error(`no dialect for api "${api}"`)
  return dialect
}
