import type { z } from 'zod'
import type { BodyProblem } from '../error-spec.js'

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

/** OpenAI's words for a body's first problem: "Missing required parameter: 'messages'.", "Invalid type for …". */
export function bodyProblemOpenAI(issue: z.core.$ZodIssue, param: string): BodyProblem {
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return { message: `Missing required parameter: '${param}'.`, param, code: 'missing_required_parameter' }
  }
  if (issue.code === 'invalid_type') {
    const message = `Invalid type for '${param}': expected ${expectedName(issue.expected)}, but got ${typeName(issue.input)} instead.`
    return { message, param, code: 'invalid_type' }
  }
  return { message: `Invalid value for '${param}': ${issue.message}.`, param, code: 'invalid_value' }
}
