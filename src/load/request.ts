import { jsonTemplate } from '../json-template.js'
import type { ApiName, RequestTemplate } from '../scenario/schema.js'
import { marker, REQUEST_ID_HEADER } from '../upstream/correlation.js'

/** How a SUT wants requests shaped: paths per API, model names, extra headers. */
export interface RequestMapping {
  paths?: Partial<Record<ApiName, string>>
  models?: Record<string, string>
  headers?: Record<string, string>
  /** Headers for one API's requests, over `headers`. */
  apiHeaders?: Partial<Record<ApiName, Record<string, string>>>
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

/** A template's request with the prompt left out: the driver fills in each request's content and id. */
interface Shape {
  path: string
  headers: Record<string, string>
  /** Whether the template or mapping sets the id header itself (theirs wins). */
  ownId: boolean
  /** The JSON body, given the prompt's content. */
  body: (content: string) => string
}

const shapes = new WeakMap<RequestTemplate, Map<RequestMapping, Shape>>()

function shapeOf(t: RequestTemplate, mapping: RequestMapping): Shape {
  let byMapping = shapes.get(t)
  if (!byMapping) {
    byMapping = new Map()
    shapes.set(t, byMapping)
  }
  let shape = byMapping.get(mapping)
  if (!shape) {
    shape = buildShape(t, mapping)
    byMapping.set(mapping, shape)
  }
  return shape
}

function buildShape(t: RequestTemplate, mapping: RequestMapping): Shape {
  const model = mapping.models?.[t.model] ?? t.model
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (t.headers) Object.assign(headers, t.headers)
  if (mapping.headers) Object.assign(headers, mapping.headers)
  const forApi = mapping.apiHeaders?.[t.api]
  if (forApi) Object.assign(headers, forApi)
  const ownId = headers[REQUEST_ID_HEADER] !== undefined
  let body: (content: string) => Record<string, unknown>
  switch (t.api) {
    case 'openai.chat':
      body = (content) => ({
        model,
        messages: [{ role: 'user', content }],
        ...(t.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
        ...(t.max_tokens !== undefined ? { max_tokens: t.max_tokens } : {}),
      })
      headers.authorization ??= 'Bearer sk-brownout'
      break
    case 'openai.responses':
      body = (content) => ({
        model,
        input: content,
        ...(t.stream ? { stream: true } : {}),
        ...(t.max_tokens !== undefined ? { max_output_tokens: t.max_tokens } : {}),
      })
      headers.authorization ??= 'Bearer sk-brownout'
      break
    case 'openai.embeddings':
      body = (content) => ({ model, input: content })
      headers.authorization ??= 'Bearer sk-brownout'
      break
    case 'anthropic.messages':
      body = (content) => ({
        model,
        max_tokens: t.max_tokens ?? 1024,
        messages: [{ role: 'user', content }],
        ...(t.stream ? { stream: true } : {}),
      })
      headers['anthropic-version'] ??= '2023-06-01'
      headers['x-api-key'] ??= 'sk-ant-brownout'
      break
  }
  return { path: mapping.paths?.[t.api] ?? DEFAULT_PATHS[t.api], headers, ownId, body: jsonTemplate(body) }
}

/**
 * The HTTP request for one logical request: id in a header and as a marker in the last user message. The rest
 * of the request is worked out once per template.
 */
export function buildRequest(t: RequestTemplate, id: string, mapping: RequestMapping = NO_MAPPING): BuiltRequest {
  const shape = shapeOf(t, mapping)
  const headers = { ...shape.headers }
  if (!shape.ownId) headers[REQUEST_ID_HEADER] = id
  return {
    path: shape.path,
    headers,
    body: shape.body(`${t.prompt} ${marker(id)}`),
  }
}

const NO_MAPPING: RequestMapping = {}
