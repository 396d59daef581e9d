import { z } from 'zod'

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/

/** Parses `250ms`, `1.5s`, `2m`, `1h`, or a bare number of milliseconds. Returns undefined when it is not a duration. */
export function parseDurationMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  const m = DURATION.exec(value)
  if (!m?.[1] || !m[2]) return undefined
  return Number(m[1]) * (UNIT_MS[m[2]] ?? 1)
}

/** A duration in YAML: `250ms`, `1.5s`, `2m`, or a number of milliseconds. Parses to milliseconds. */
export const durationSchema = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  const ms = parseDurationMs(value)
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${String(value)}" is not a duration; write it like 250ms, 1.5s, 2m or a number of milliseconds`,
    })
    return z.NEVER
  }
  return ms
})

/** `1.500` → `1.5`, `2.000` → `2`: trailing zeros and then a trailing point go (what two regexes did, cheaper). */
function trimZeros(fixed: string): string {
  let end = fixed.length
  while (end > 0 && fixed.charCodeAt(end - 1) === 48) end--
  if (end > 0 && fixed.charCodeAt(end - 1) === 46) end--
  return fixed.slice(0, end)
}

/** Formats milliseconds like Go's time.Duration (`12ms`, `1s`, `6m0s`), as OpenAI's x-ratelimit-reset-* headers do. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`
  const totalS = ms / 1000
  const h = Math.floor(totalS / 3600)
  const m = Math.floor((totalS % 3600) / 60)
  const s = totalS % 60
  const sText = Number.isInteger(s) ? String(s) : trimZeros(s.toFixed(3))
  if (h > 0) return `${h}h${m}m${sText}s`
  if (m > 0) return `${m}m${sText}s`
  return `${sText}s`
}
