import { defineDialect } from '../dialect.js'
import { geminiFacts } from '../families/gemini-facts.js'
import { googleFamily } from '../families/google.js'
import { geminiGenerateClient } from './client.js'
import { generateContent, getGeminiModel, listGeminiModels } from './server.js'

/**
 * Google Gemini's generateContent and streamGenerateContent (`gemini.generate`), with the models list. The model
 * is in the path (`/v1beta/models/{model}:generateContent`); a stream asks for SSE with `?alt=sse`.
 */
export const geminiGenerate = defineDialect({
  api: 'gemini.generate',
  family: googleFamily,
  routes: [
    { method: 'POST', path: '/v1beta/models/{model}:generateContent', handle: generateContent },
    { method: 'POST', path: '/v1beta/models/{model}:streamGenerateContent', handle: generateContent },
    { method: 'GET', path: '/v1beta/models', generates: false, handle: listGeminiModels },
    { method: 'GET', path: '/v1beta/models/{model}', generates: false, handle: getGeminiModel },
  ],
  requestFacts: (ex) => geminiFacts(ex, ex.query.alt === 'sse'),
  streamError: (facts) => googleFamily.streamError(facts),
  malformedFrame: (kind) => googleFamily.malformedFrame(kind),
  client: geminiGenerateClient,
})
