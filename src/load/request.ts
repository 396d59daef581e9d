import type { ApiName, RequestTemplate } from '../scenario/schema.js'
import { marker, REQUEST_ID_HEADER } from '../upstream/correlation.js'

/** How a SUT wants requests shaped: paths per API, model names, extra headers. */
export interface RequestMapping {
  paths?: Partial<Record<ApiName, string>>
  models?: Record<string, string>
  headers?: Record<string, string>
}

export const DEFAULT_PATHS: Record<ApiName, string> = {
  'openai.chat': '/v1/chat/completions',
  'openai.responses': '/v1/responses',
  'openai.embeddings': '/v1/embeddings',
  'anthropic.messages': '/v1/messages',
}

export interface BuiltRequest {
  path: string
  headers: Record<string, string>
  body: string
}

/** The HTTP request for one logical request: id in a header and as a marker in the last user message. */
export function buildRequest(t: RequestTemplate, id: string, mapping: RequestMapping = {}): BuiltRequest {
  const model = mapping.models?.[t.model] ?? t.model
  const content = `${t.prompt} ${marker(id)}`
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [REQUEST_ID_HEADER]: id,
    ...t.headers,
    ...mapping.headers,
  }
  let body: Record<string, unknown>
  switch (t.api) {
    case 'openai.chat':
      body = { model, messages: [{ role: 'user', content }] }
      if (t.stream) body.stream = true
      if (t.stream) body.stream_options = { include_usage: true }
      if (t.max_tokens !== undefined) body.max_tokens = t.max_tokens
      headers.authorization ??= 'Bearer sk-brownout'
      break
    case 'openai.responses':
      body = { model, input: content }
      if (t.stream) body.stream = true
      if (t.max_tokens !== undefined) body.max_output_tokens = t.max_tokens
      headers.authorization ??= 'Bearer sk-brownout'
      break
    case 'openai.embeddings':
      body = { model, input: content }
      headers.authorization ??= 'Bearer sk-brownout'
      break
    case 'anthropic.messages':
      body = { model, max_tokens: t.max_tokens ?? 1024, messages: [{ role: 'user', content }] }
      if (t.stream) body.stream = true
      headers['anthropic-version'] ??= '2023-06-01'
      headers['x-api-key'] ??= 'sk-ant-brownout'
      break
  }
  return { path: mapping.paths?.[t.api] ?? DEFAULT_PATHS[t.api], headers, body: JSON.stringify(body) }
}
