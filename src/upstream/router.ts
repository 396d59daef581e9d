import type { Dialect } from '../dialects/dialect.js'
import { DIALECTS } from '../dialects/registry.js'
import { matchPath, matchQuery, type RoutePattern } from '../dialects/route.js'
import type { Exchange } from './exchange.js'
import { listModels } from './models.js'
import type { Plan } from './plan.js'

export interface Route extends RoutePattern {
  /** The dialect that owns the route (its family shapes the errors); undefined: the request's headers decide. */
  dialect?: Dialect
  /** Whether requests here generate tokens (and so count against rate limits and carry a model). */
  generates: boolean
  handle: (ex: Exchange) => Plan
}

/** A route that fits a request, with the path parameters it captured. */
export interface FoundRoute {
  route: Route
  params: Record<string, string>
  /** False when the path exists but not for this method. */
  methodOk: boolean
}

/** Every dialect's routes (from the registry), then the family-neutral ones. */
export const ROUTES: readonly Route[] = [
  ...DIALECTS.flatMap((dialect: Dialect) =>
    dialect.routes.map((r) => ({ ...r, dialect, generates: r.generates ?? true, handle: r.handle })),
  ),
  { method: 'GET', path: '/v1/models', generates: false, handle: listModels },
]

/** Finds the route for a request; a route whose path and query fit but not its method comes back `methodOk: false`. */
export function findRoute(method: string, path: string, query: Record<string, string>): FoundRoute | undefined {
  let pathMatch: FoundRoute | undefined
  for (const route of ROUTES) {
    const params = matchPath(route.path, path)
    if (!params || !matchQuery(route.query, query)) continue
    if (route.method === method) return { route, params, methodOk: true }
    pathMatch ??= { route, params, methodOk: false }
  }
  return pathMatch
}
