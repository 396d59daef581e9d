/**
 * Hand-written checks for the common, plainly valid request bodies, so the hot path can skip zod. Each accepts
 * only bodies its zod schema accepts and leaves unchanged (a property test holds them to that); anything else,
 * valid or not, goes to zod, which also words the error. A dialect's `server.ts` passes its own to `validateBody`.
 */
export type QuickCheck = (body: Record<string, unknown>) => boolean

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
export const isNonEmptyString = (v: unknown): boolean => typeof v === 'string' && v.length > 0
export const isPositiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v > 0
export const isNullish = (v: unknown): boolean => v === undefined || v === null

/** Every message an object with one of `roles` and content that `content` accepts; at least one. */
export function messagesOk(v: unknown, roles: ReadonlySet<string>, content: (c: unknown) => boolean): boolean {
  if (!Array.isArray(v) || v.length === 0) return false
  for (const m of v) {
    if (!isObject(m) || typeof m.role !== 'string' || !roles.has(m.role) || !content(m.content)) return false
  }
  return true
}
