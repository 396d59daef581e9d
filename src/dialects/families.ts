import type { IncomingHttpHeaders } from 'node:http'
import { anthropicFamily } from './families/anthropic.js'
import { googleFamily } from './families/google.js'
import { openaiFamily } from './families/openai.js'
import type { Family } from './family.js'

/**
 * Every provider family, in the order request headers are tried against them (Anthropic's `x-api-key` before
 * OpenAI's `authorization`). A new family is one line here.
 */
export const FAMILIES = [anthropicFamily, openaiFamily, googleFamily] as const

/** The ids an upstream's `provider` may name. */
export const FAMILY_IDS = ['openai', 'anthropic', 'google'] as const
export type FamilyId = (typeof FAMILY_IDS)[number]

export function familyById(id: string): Family {
  return FAMILIES.find((f) => f.id === id) ?? openaiFamily
}

/** The family request headers point at, for paths no dialect owns; `fallback` when none recognises them. */
export function familyOfHeaders(headers: IncomingHttpHeaders, fallback: Family): Family {
  return FAMILIES.find((f) => f.recognizes(headers)) ?? fallback
}
