import type { z } from 'zod'
import type { BodyProblem } from '../dialects/error-spec.js'
import type { Family } from '../dialects/family.js'
import type { QuickCheck } from '../dialects/quick-check.js'

/** `messages[0].content`, as OpenAI names parameters. */
function paramName(path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key)
  return out
}

/**
 * Validates a request body and turns the first problem into the message the provider would send
 * (the family's words: OpenAI "Missing required parameter: 'messages'."; Anthropic "max_tokens: Field required"). A body that
 * `quick` accepts is valid as it stands and skips the schema.
 */
export function validateBody<T extends z.ZodType>(
  schema: T,
  body: unknown,
  family: Family,
  quick?: QuickCheck,
): { ok: true; value: z.output<T> } | { ok: false; problem: BodyProblem } {
  if (
    quick &&
    typeof body === 'object' &&
    body !== null &&
    !Array.isArray(body) &&
    quick(body as Record<string, unknown>)
  )
    return { ok: true, value: body as z.output<T> }
  const parsed = schema.safeParse(body, { reportInput: true })
  if (parsed.success) return { ok: true, value: parsed.data }
  const issue = parsed.error.issues[0]
  if (!issue) return { ok: false, problem: { message: 'Invalid request body.', param: null, code: null } }
  const param = paramName(issue.path)
  return { ok: false, problem: family.bodyProblem(issue, param) }
}
