import type { ErrorSpec } from '../error-spec.js'

/** `retry-after` (whole seconds, rounded up) and `retry-after-ms`, as OpenAI and Anthropic send them. */
export function retryAfterHeaders(spec: ErrorSpec): Record<string, string> {
  if (spec.retryAfterMs === undefined) return {}
  return {
    'retry-after': String(Math.ceil(spec.retryAfterMs / 1000)),
    'retry-after-ms': String(Math.round(spec.retryAfterMs)),
  }
}

export type Obj = Record<string, unknown>

/** A JSON text's value when it is an object (or array), undefined otherwise. */
export function parseObject(raw: string): Obj | undefined {
  try {
    return obj(JSON.parse(raw))
  } catch {
    return undefined
  }
}

export const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' ? (v as Obj) : undefined)
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
