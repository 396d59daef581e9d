/**
 * A route a dialect serves. `path` is a pattern: literal text plus `{name}` parameters. A parameter matches one
 * or more characters up to the next `/` or `:` (Google puts the method after a colon:
 * `/v1beta/models/{model}:streamGenerateContent`), and its decoded value reaches the handler as
 * `ex.params.name`. `query` names query parameters the route requires: a string must match exactly
 * (`{ alt: 'sse' }`), `true` means any value (`{ 'api-version': true }` for Azure). Other query parameters are
 * ignored, and every query parameter reaches the handler as `ex.query`.
 */
export interface RoutePattern {
  method: 'GET' | 'POST'
  path: string
  query?: Record<string, string | true>
}

/** A route that matched a request: the path parameters it captured. */
export interface RouteMatch {
  params: Record<string, string>
  /** False when the path and query match but the method does not (the upstream answers 405). */
  methodOk: boolean
}

const compiled = new Map<string, RegExp>()
const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>

function regexOf(pattern: string): RegExp {
  let re = compiled.get(pattern)
  if (!re) {
    const source = pattern
      .split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/)
      .map((part) =>
        part.startsWith('{') ? `(?<${part.slice(1, -1)}>[^/:]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('')
    re = new RegExp(`^${source}$`)
    compiled.set(pattern, re)
  }
  return re
}

/** Path parameters when `path` (no query) fits the pattern, undefined otherwise. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  if (!pattern.includes('{')) return pattern === path ? NO_PARAMS : undefined
  const m = regexOf(pattern).exec(path)
  if (!m) return undefined
  const params: Record<string, string> = {}
  for (const [name, value] of Object.entries(m.groups ?? {})) {
    try {
      params[name] = decodeURIComponent(value)
    } catch {
      params[name] = value
    }
  }
  return params
}

/** Whether the query carries what the route requires. */
export function matchQuery(required: RoutePattern['query'], query: Record<string, string>): boolean {
  if (!required) return true
  for (const [name, want] of Object.entries(required)) {
    const got = query[name]
    if (got === undefined || (want !== true && got !== want)) return false
  }
  return true
}

/** The query string of a URL as a plain record (the first value of a repeated name wins). */
export function parseQuery(url: string): Record<string, string> {
  const at = url.indexOf('?')
  const query: Record<string, string> = {}
  if (at < 0) return query
  for (const [name, value] of new URLSearchParams(url.slice(at + 1))) query[name] ??= value
  return query
}
