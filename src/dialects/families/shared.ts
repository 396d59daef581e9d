import type { ErrorSpec } from '../error-spec.js'
import { formIsDate, meantWaitMs, retryAfterHeaderForm } from '../retry-after-form.js'

/**
 * The retry headers of an OpenAI or Anthropic error and the wait they mean: by default `retry-after` (whole
 * seconds, rounded up) and `retry-after-ms`; another form when the spec names one (see retry-after-form.ts).
 */
export function retryAfterHeaders(
  spec: ErrorSpec,
  family: 'openai' | 'anthropic',
): { headers: Record<string, string>; retryAfterMs?: number | null } {
  if (spec.retryAfterMs === undefined) return { headers: {} }
  const { retryAfterMs, retryAfterForm, retryAfterAtMs } = spec
  const form = { retryAfterMs, retryAfterForm, retryAfterAtMs }
  return {
    headers: retryAfterHeaderForm(form, family),
    retryAfterMs: meantWaitMs(form, formIsDate(retryAfterForm, family)),
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
