/**
 * The client side of the Gemini wire: what a stream chunk, a success body or an error body means. Pure, so the
 * load driver and the dialect contract suite read Gemini exactly as the SDK does: a chunk whose JSON has an
 * `error` object is an in-band error (the SDK raises ApiError with its `code`); a chunk with a finishReason ends
 * the stream (there is no `[DONE]`).
 */
import { googleStatusName } from './google-errors.js'

type Obj = Record<string, unknown> | undefined
const obj = (v: unknown): Obj =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** The text and finish reason of a GenerateContentResponse (a whole answer or one stream chunk). */
export function readCandidate(data: unknown): { text: string; finish: string | undefined } | undefined {
  const candidates = obj(data)?.candidates
  if (!Array.isArray(candidates)) return undefined
  const candidate = obj(candidates[0])
  if (!candidate) return { text: '', finish: undefined }
  const parts = obj(candidate.content)?.parts
  const text = Array.isArray(parts) ? parts.map((p) => str(obj(p)?.text) ?? '').join('') : ''
  return { text, finish: str(candidate.finishReason) }
}

/** The in-band error a chunk carries (`{"error":{"code","message","status"}}`): its status name, or undefined. */
export function readStreamError(data: unknown): string | undefined {
  const error = obj(obj(data)?.error)
  if (!error) return undefined
  return str(error.status) ?? (typeof error.code === 'number' ? googleStatusName(error.code) : undefined) ?? 'error'
}

/** Whether an embedContent (or batchEmbedContents) answer has its vectors. */
export function readEmbedding(data: unknown): boolean {
  const body = obj(data)
  if (!body) return false
  const one = obj(body.embedding)?.values
  return Array.isArray(one) || Array.isArray(body.embeddings)
}
