import { defineDialect } from '../dialect.js'
import { geminiFacts } from '../families/gemini-facts.js'
import { googleFamily } from '../families/google.js'
import { geminiEmbedClient } from './client.js'
import { batchEmbedContents, embedContent } from './server.js'

/**
 * Google Gemini's embeddings (`gemini.embed`): `:embedContent`, and `:batchEmbedContents`, which is what the
 * official SDK's `models.embedContent` sends to the Gemini API.
 */
export const geminiEmbed = defineDialect({
  api: 'gemini.embed',
  family: googleFamily,
  routes: [
    { method: 'POST', path: '/v1beta/models/{model}:embedContent', handle: embedContent },
    { method: 'POST', path: '/v1beta/models/{model}:batchEmbedContents', handle: batchEmbedContents },
  ],
  requestFacts: (ex) => geminiFacts(ex, false),
  streamError: (facts) => googleFamily.streamError(facts),
  malformedFrame: (kind) => googleFamily.malformedFrame(kind),
  client: geminiEmbedClient,
})
