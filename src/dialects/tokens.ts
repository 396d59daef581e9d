/**
 * All the text in a request's contents (strings, or parts with `text`, at any depth under `content`, `text` and
 * Gemini's `parts`), as a token estimate: a prompt's cost for TPM accounting and for usage.
 */
export function promptTokens(value: unknown): number {
  let chars = 0
  // Bounded depth: hostile bodies nest arrays thousands deep.
  const walk = (v: unknown, depth: number): void => {
    if (depth > 32) return
    if (typeof v === 'string') chars += v.length
    else if (Array.isArray(v)) for (const item of v) walk(item, depth + 1)
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>
      walk(o.content, depth + 1)
      walk(o.text, depth + 1)
      walk(o.parts, depth + 1)
    }
  }
  walk(value, 0)
  return Math.max(1, Math.ceil(chars / 4))
}

/** A positive whole number of tokens, or null. */
export function tokenCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null
}
