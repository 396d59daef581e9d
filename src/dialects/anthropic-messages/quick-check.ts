import { isNonEmptyString, isPositiveInt, messagesOk, type QuickCheck } from '../quick-check.js'

const MESSAGES_ROLES: ReadonlySet<string> = new Set(['user', 'assistant'])

/** Anthropic messages without tools: string contents, string or absent system. */
export const quickMessages: QuickCheck = (b) =>
  isNonEmptyString(b.model) &&
  isPositiveInt(b.max_tokens) &&
  messagesOk(b.messages, MESSAGES_ROLES, (c) => typeof c === 'string') &&
  (b.system === undefined || typeof b.system === 'string') &&
  (b.stream === undefined || typeof b.stream === 'boolean') &&
  b.tools === undefined &&
  b.tool_choice === undefined
