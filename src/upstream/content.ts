// The English locale alone (the same word lists): the package's index loads every locale, some 18 MB of heap and
// startup time for a few thousand words.
import { faker } from '@faker-js/faker/locale/en'
import { z } from 'zod'
import { gaussian, hash32, hex8, pick, type Rng, randomInt, rngFor } from '../rng.js'

const en = faker.definitions
const WORDS: readonly string[] = [
  ...(en.word?.noun ?? []),
  ...(en.word?.verb ?? []),
  ...(en.word?.adjective ?? []),
  ...(en.word?.adverb ?? []),
  ...(en.word?.preposition ?? []),
].filter((w) => /^[a-z]+$/.test(w))

/** Each word as it is and after a space (a token after the first), then the same capitalised (a sentence's first). */
const WORDS_AS_IS = [WORDS, WORDS.map((w) => ` ${w}`)] as const
const CAPITALISED = (() => {
  const caps = WORDS.map((w) => w.charAt(0).toUpperCase() + w.slice(1))
  return [caps, caps.map((w) => ` ${w}`)] as const
})()

/** How long answers are before `max_tokens` cuts them. */
export const contentSchema = z
  .strictObject({
    min_tokens: z.number().int().positive().default(16),
    max_tokens: z.number().int().positive().default(64),
  })
  .default({ min_tokens: 16, max_tokens: 64 })
  .refine((c) => c.min_tokens <= c.max_tokens, { message: 'min_tokens must not exceed max_tokens' })

export type ContentOptions = z.output<typeof contentSchema>

/** The answer an upstream gives: its tokens (concatenated they are the text) and why it stopped. */
export interface Answer {
  tokens: string[]
  finish: 'stop' | 'length'
}

/**
 * The deterministic answer to a request: a function of (seed, request id, max_tokens) only, so every upstream
 * of a run gives the same answer to the same request, and the runner can tell a complete answer from a cut one.
 */
export function answerFor(
  seed: number | string,
  requestId: string,
  maxTokens: number | undefined,
  opts: ContentOptions,
): Answer {
  const rng = rngFor(seed, requestId, 'answer')
  const natural = randomInt(rng, opts.min_tokens, opts.max_tokens)
  const limit = maxTokens === undefined ? natural : Math.min(natural, maxTokens)
  const tokens = new Array<string>(limit > 0 ? Math.ceil(limit) : 0)
  let sentenceLeft = 0
  for (let i = 0; i < limit; i++) {
    const startsSentence = sentenceLeft === 0
    if (startsSentence) sentenceLeft = randomInt(rng, 4, 12)
    // pick(rng, WORDS), as its index: the word comes ready-made with its capital and its leading space.
    const at = Math.floor(rng() * WORDS.length)
    const forms = (startsSentence ? CAPITALISED : WORDS_AS_IS)[i === 0 ? 0 : 1]
    let word = forms[at] as string
    sentenceLeft--
    const last = i === natural - 1
    if (sentenceLeft === 0 || last) word += '.'
    else if (rng() < 0.08) word += ','
    tokens[i] = word
  }
  return { tokens, finish: limit < natural ? 'length' : 'stop' }
}

export function answerText(answer: Answer): string {
  return answer.tokens.join('')
}

/** A rough, stable token estimate for prompt text (about four characters a token). */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4))
}

type JsonSchema = {
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  properties?: Record<string, JsonSchema>
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  minimum?: number
  maximum?: number
}

/** A JSON value that satisfies a (simple) JSON Schema: what a model would put in a tool call's arguments. */
export function valueForSchema(schema: unknown, rng: Rng, depth = 0): unknown {
  const s = (typeof schema === 'object' && schema !== null ? schema : {}) as JsonSchema
  if (s.const !== undefined) return s.const
  if (Array.isArray(s.enum) && s.enum.length > 0) return pick(rng, s.enum)
  const alternatives = s.anyOf ?? s.oneOf
  if (alternatives && alternatives.length > 0) return depth > 8 ? null : valueForSchema(alternatives[0], rng, depth + 1)
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? 'null') : (s.type ?? 'object')
  switch (type) {
    case 'string':
      return pick(rng, WORDS)
    case 'integer':
      return randomInt(rng, s.minimum ?? 1, s.maximum ?? 100)
    case 'number':
      return Math.round(((s.minimum ?? 0) + rng() * ((s.maximum ?? 100) - (s.minimum ?? 0))) * 100) / 100
    case 'boolean':
      return rng() < 0.5
    case 'null':
      return null
    case 'array':
      return depth > 4 ? [] : [valueForSchema(s.items ?? { type: 'string' }, rng, depth + 1)]
    default: {
      const out: Record<string, unknown> = {}
      if (depth > 4) return out
      for (const [key, sub] of Object.entries(s.properties ?? {})) out[key] = valueForSchema(sub, rng, depth + 1)
      return out
    }
  }
}

/** Tool-call arguments for a request, deterministic from (seed, request id, tool name). */
export function toolArgumentsFor(seed: number | string, requestId: string, toolName: string, schema: unknown): string {
  return JSON.stringify(valueForSchema(schema, rngFor(seed, requestId, 'tool', toolName)))
}

/** Splits text into pieces of about `size` characters, as providers stream tool-call arguments. */
export function splitPieces(text: string, size = 8): string[] {
  const pieces: string[] = []
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size))
  return pieces.length > 0 ? pieces : ['']
}

/** A unit-length embedding, deterministic from (seed, text, dimensions). */
export function embeddingFor(seed: number | string, text: string, dimensions: number): number[] {
  const rng = rngFor(seed, 'embedding', dimensions, text)
  const v = Array.from({ length: dimensions }, () => gaussian(rng))
  const norm = Math.hypot(...v) || 1
  return v.map((x) => Math.fround(x / norm))
}

/** The hashes of the salts 1, 2 and 3 that idSuffix continues. */
const SALTS = [hash32('1'), hash32('2'), hash32('3')] as const

/** The three hashes idSuffix is computing (module state: no closure or array per id). */
let h0 = 0
let h1 = 0
let h2 = 0

/** Continues the three hashes with `text` (FNV-1a, as hash32), in one pass over it. */
function feed(text: string): void {
  let a = h0
  let b = h1
  let c = h2
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    a = Math.imul(a ^ code, 0x01000193)
    b = Math.imul(b ^ code, 0x01000193)
    c = Math.imul(c ^ code, 0x01000193)
  }
  h0 = a
  h1 = b
  h2 = c
}

/**
 * A short deterministic id suffix (24 hex digits) for response ids: three salted 32-bit hashes of
 * `seed\0part\0part…`, no RNG needed. hash32(`${salt}${key}`) for each salt, continuing the salt's hash, the three
 * in one pass over the parts (the key itself is never built).
 */
export function idSuffix(seed: number | string, ...parts: Array<string | number>): string {
  h0 = SALTS[0]
  h1 = SALTS[1]
  h2 = SALTS[2]
  feed(String(seed))
  feed('\u0000')
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) feed('\u0000')
    feed(String(parts[i]))
  }
  return hex8(h0 >>> 0) + hex8(h1 >>> 0) + hex8(h2 >>> 0)
}
