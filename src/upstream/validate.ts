import type { z } from 'zod'
import type { Provider } from './exchange.js'
import type { QuickCheck } from './quick-checks.js'

export interface BodyProblem {
  message: string
  param: string | null
  code: string | null
}

/** `messages[0].content`, as OpenAI names parameters. */
function paramName(path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key)
  return out
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'number' && Number.isInteger(value)) return 'an integer'
  if (typeof value === 'number') return 'a decimal'
  return `a ${typeof value}`
}

function expectedName(expected: string): string {
  if (expected === 'array' || expected === 'object' || expected === 'integer') return `an ${expected}`
  return `a ${expected}`
}

/**
 * Validates a request body and turns the first problem into the message the provider would send
 * (OpenAI: "Missing required parameter: 'messages'."; Anthropic: "max_tokens: Field required"). A body that
 * `quick` accepts is valid as it stands and skips the schema.
 */
export function validateBody<T extends z.ZodType>(
  schema: T,
  body: unknown,
  provider: Provider,
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
  const missing = issue.code === 'invalid_type' && issue.input === undefined
  if (provider === 'anthropic') {
    const what = missing ? 'Field required' : issue.message
    return { ok: false, problem: { message: `${param || 'body'}: ${what}`, param, code: null } }
  }
  if (missing) {
    return {
      ok: false,
      problem: { message: `Missing required parameter: '${param}'.`, param, code: 'missing_required_parameter' },
    }
  }
  if (issue.code === 'invalid_type') {
    const message = `Invalid type for '${param}': expected ${expectedName(issue.expected)}, but got ${typeName(issue.input)} instead.`
    return { ok: false, problem: { message, param, code: 'invalid_type' } }
  }
  return {
    ok: false,
    problem: { message: `Invalid value for '${param}': ${issue.message}.`, param, code: 'invalid_value' },
  }
}
