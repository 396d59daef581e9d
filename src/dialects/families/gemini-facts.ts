import { endsWithRole, type RequestFacts, type RequestParts } from '../dialect.js'
import { promptTokens, tokenCount } from '../tokens.js'

/**
 * What the upstream needs to know of a Gemini request before serving it: the model is in the path, a stream is
 * `?alt=sse`, the prompt is every text part of `contents` (or an embedding request's `content`/`requests`) and the
 * system instruction, the output cap is `generationConfig.maxOutputTokens`, and a prefill is `contents` ending on
 * a `model` turn.
 */
export function geminiFacts(ex: RequestParts, stream: boolean): RequestFacts {
  const body = (ex.body && typeof ex.body === 'object' ? ex.body : {}) as Record<string, unknown>
  const config = (body.generationConfig && typeof body.generationConfig === 'object' ? body.generationConfig : {}) as {
    maxOutputTokens?: unknown
  }
  return {
    model: ex.params.model ?? null,
    stream,
    promptTokens: promptTokens([body.contents, body.systemInstruction, body.content, body.requests]),
    maxTokens: tokenCount(config.maxOutputTokens),
    prefill: endsWithRole(body.contents, 'model'),
  }
}
