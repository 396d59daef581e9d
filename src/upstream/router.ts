import type { Exchange, Provider } from './exchange.js'
import type { Plan } from './plan.js'
import { messages } from './providers/anthropic-messages.js'
import { listModels } from './providers/models.js'
import { chatCompletions } from './providers/openai-chat.js'
import { embeddings } from './providers/openai-embeddings.js'
import { responses } from './providers/openai-responses.js'

export interface Route {
  method: 'GET' | 'POST'
  path: string
  /** The provider whose error shape this path uses; undefined: decided by the request and the upstream's config. */
  provider?: Provider
  /** Whether requests here generate tokens (and so count against rate limits and carry a model). */
  generates: boolean
  handle: (ex: Exchange) => Plan
}

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/v1/chat/completions', provider: 'openai', generates: true, handle: chatCompletions },
  { method: 'POST', path: '/v1/responses', provider: 'openai', generates: true, handle: responses },
  { method: 'POST', path: '/v1/embeddings', provider: 'openai', generates: true, handle: embeddings },
  { method: 'POST', path: '/v1/messages', provider: 'anthropic', generates: true, handle: messages },
  { method: 'GET', path: '/v1/models', generates: false, handle: listModels },
]

/** Finds the route for a path; `methodOk` is false when the path exists but not for this method. */
export function findRoute(method: string, path: string): { route: Route; methodOk: boolean } | undefined {
  let pathMatch: Route | undefined
  for (const route of ROUTES) {
    if (route.path !== path) continue
    if (route.method === method) return { route, methodOk: true }
    pathMatch = route
  }
  return pathMatch ? { route: pathMatch, methodOk: false } : undefined
}
