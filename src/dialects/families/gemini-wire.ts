/**
 * The Gemini API's wire forms (generativelanguage.googleapis.com v1beta), as the official `@google/genai` SDK
 * sends and reads them. Pure builders and readers: the server side (answers) and the client side (requests,
 * interpretation) of the Gemini dialects both use them, so the two cannot drift apart.
 */

/** Where the Gemini API lives under its base URL. */
export const GEMINI_PREFIX = '/v1beta'

/** The SDK's model methods: `models/{model}:{method}`. */
export type GeminiMethod = 'generateContent' | 'streamGenerateContent' | 'embedContent' | 'batchEmbedContents'

const MODEL_PATH = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):([A-Za-z]+)$/

/** The model and method of a Gemini model path (`/v1beta/models/gemini-2.0-flash:generateContent`). */
export function parseModelPath(path: string): { model: string; method: string } | undefined {
  const m = MODEL_PATH.exec(path)
  if (!m?.[1] || !m[2]) return undefined
  return { model: decodeURIComponent(m[1]), method: m[2] }
}

/** The path of a model method; streams ask for SSE with `?alt=sse`, as the SDK does. */
export function modelPath(model: string, method: GeminiMethod): string {
  const name = model.startsWith('models/') ? model.slice('models/'.length) : model
  return `${GEMINI_PREFIX}/models/${name}:${method}${method === 'streamGenerateContent' ? '?alt=sse' : ''}`
}

/** The request body of generateContent / streamGenerateContent for one user prompt. */
export function generateRequestBody(prompt: string, maxOutputTokens: number | undefined): Record<string, unknown> {
  return {
    contents: [{ role: 'user', parts: [{ text: prompt }] }],
    ...(maxOutputTokens !== undefined ? { generationConfig: { maxOutputTokens } } : {}),
  }
}

/** The request body of embedContent for one text. */
export function embedRequestBody(model: string, text: string): Record<string, unknown> {
  return { model: model.startsWith('models/') ? model : `models/${model}`, content: { parts: [{ text }] } }
}

/** Gemini's finish reason for brownout's answer: `STOP`, or `MAX_TOKENS` when max_tokens cut it. */
export function finishReason(finish: 'stop' | 'length'): 'STOP' | 'MAX_TOKENS' {
  return finish === 'length' ? 'MAX_TOKENS' : 'STOP'
}

export interface Usage {
  promptTokens: number
  /** Output tokens so far; omitted (as Gemini does in a stream's first chunks) when undefined. */
  candidatesTokens?: number
}

/** `usageMetadata` as Gemini sends it. */
export function usageMetadata(u: Usage): Record<string, unknown> {
  const out = u.candidatesTokens ?? 0
  return {
    promptTokenCount: u.promptTokens,
    ...(u.candidatesTokens !== undefined ? { candidatesTokenCount: u.candidatesTokens } : {}),
    totalTokenCount: u.promptTokens + out,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: u.promptTokens }],
  }
}

export interface ResponseMeta {
  model: string
  responseId: string
}

/** One GenerateContentResponse: a candidate with text, and its finish reason once it has one. */
export function generateResponse(
  text: string,
  finish: 'STOP' | 'MAX_TOKENS' | undefined,
  usage: Usage,
  meta: ResponseMeta,
): Record<string, unknown> {
  const candidate: Record<string, unknown> = { content: { parts: [{ text }], role: 'model' } }
  if (finish !== undefined) candidate.finishReason = finish
  candidate.index = 0
  return {
    candidates: [candidate],
    usageMetadata: usageMetadata(usage),
    modelVersion: meta.model,
    responseId: meta.responseId,
  }
}

/**
 * One SSE frame of streamGenerateContent?alt=sse. Gemini frames end with CRLF CRLF and carry no event name;
 * the stream has no `[DONE]`: the chunk with a finishReason is the last.
 */
export function sseFrame(json: string): string {
  return `data: ${json}\r\n\r\n`
}

/** Embedding models and their default dimensions. */
export function embeddingDimensions(model: string, asked: number | undefined): number {
  if (asked !== undefined) return asked
  return model.includes('gemini-embedding') ? 3072 : 768
}

/** The models `GET /v1beta/models` lists when the upstream is not told which models exist. */
export const GEMINI_MODELS: readonly string[] = [
  'gemini-2.5-flash',
  'gemini-2.5-pro',
  'gemini-2.0-flash',
  'text-embedding-004',
  'gemini-embedding-001',
]

/** One entry of the models list (`models/{id}` with limits and the methods it supports). */
export function modelEntry(id: string): Record<string, unknown> {
  const embeds = id.includes('embedding')
  return {
    name: `models/${id}`,
    version: '001',
    displayName: id,
    description: `brownout's fake ${id}`,
    inputTokenLimit: embeds ? 2048 : 1_048_576,
    outputTokenLimit: embeds ? 1 : 65_536,
    supportedGenerationMethods: embeds ? ['embedContent'] : ['generateContent', 'countTokens'],
  }
}
