/**
 * Hand-written checks for the common, plainly valid request bodies, so the hot path can skip zod. Each accepts
 * only bodies its zod schema accepts and leaves unchanged (a property test holds them to that); anything else,
 * valid or not, goes to zod, which also words the error.
 */
export type QuickCheck = (body: Record<string, unknown>) => boolean

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isNonEmptyString = (v: unknown): boolean => typeof v === 'string' && v.length > 0
const isPositiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v > 0
const isNullish = (v: unknown): boolean => v === undefined || v === null

/** Every message an object with one of `roles` and content that `content` accepts; at least one. */
function messagesOk(v: unknown, roles: ReadonlySet<string>, content: (c: unknown) => boolean): boolean {
  if (!Array.isArray(v) || v.length === 0) return false
  for (const m of v) {
    if (!isObject(m) || typeof m.role !== 'string' || !roles.has(m.role) || !content(m.content)) return false
  }
  return true
}

const CHAT_ROLES: ReadonlySet<string> = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function'])
const MESSAGES_ROLES: ReadonlySet<string> = new Set(['user', 'assistant'])

/** OpenAI chat completions without tools: text (or absent) contents, nullish optional fields. */
export const quickChat: QuickCheck = (b) =>
  isNonEmptyString(b.model) &&
  messagesOk(b.messages, CHAT_ROLES, (c) => c === undefined || c === null || typeof c === 'string') &&
  (isNullish(b.stream) || typeof b.stream === 'boolean') &&
  (isNullish(b.stream_options) ||
    (isObject(b.stream_options) &&
      (b.stream_options.include_usage === undefined || typeof b.stream_options.include_usage === 'boolean'))) &&
  (isNullish(b.max_tokens) || isPositiveInt(b.max_tokens)) &&
  (isNullish(b.max_completion_tokens) || isPositiveInt(b.max_completion_tokens)) &&
  isNullish(b.tools) &&
  isNullish(b.tool_choice)

/** Anthropic messages without tools: string contents, string or absent system. */
export const quickMessages: QuickCheck = (b) =>
  isNonEmptyString(b.model) &&
  isPositiveInt(b.max_tokens) &&
  messagesOk(b.messages, MESSAGES_ROLES, (c) => typeof c === 'string') &&
  (b.system === undefined || typeof b.system === 'string') &&
  (b.stream === undefined || typeof b.stream === 'boolean') &&
  b.tools === undefined &&
  b.tool_choice === undefined
