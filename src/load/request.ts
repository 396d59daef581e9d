import { type ApiName, dialectOf } from '../dialects/registry.js'
import { jsonTemplate } from '../json-template.js'
import type { RequestTemplate } from '../scenario/schema.js'
import { marker, REQUEST_ID_HEADER } from '../upstream/correlation.js'

/** How a SUT wants requests shaped: paths per API, model names, extra headers. */
export interface RequestMapping {
  paths?: Partial<Record<ApiName, string>>
  models?: Record<string, string>
  headers?: Record<string, string>
  /** Headers for one API's requests, over `headers`. */
  apiHeaders?: Partial<Record<ApiName, Record<string, string>>>
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
  const { client } = dialectOf(t.api)
  for (const [name, value] of Object.entries(client.authHeaders)) headers[name] ??= value
  const req = { model, stream: t.stream, maxTokens: t.max_tokens }
  return {
    path: mapping.paths?.[t.api] ?? client.defaultPath(req),
    headers,
    ownId,
    body: jsonTemplate((content: string) => client.body(req, content)),
  }
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
