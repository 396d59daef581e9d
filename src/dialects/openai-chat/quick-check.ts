import { isNonEmptyString, isNullish, isObject, isPositiveInt, messagesOk, type QuickCheck } from '../quick-check.js'

const CHAT_ROLES: ReadonlySet<string> = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function'])

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
