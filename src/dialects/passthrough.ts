import { hash32, hex8 } from '../rng.js'
import { obj, str } from './families/shared.js'

/*
 * What the pass-through checks compare between the two ends of a gateway: the usage and model an answer carries
 * (read the same way from what the upstream wrote and from what the client received) and a digest of a request
 * (built the same way from what the client sent and from what the upstream received). One reader for every
 * family: the fields differ in name, not in meaning.
 */

/** Token usage an answer reported; a field is null when the answer did not say. */
export interface Usage {
  input: number | null
  output: number | null
}

/** The usage and model an answer's JSON (a body, or one stream event) carries, when it carries them. */
export interface AnswerFacts {
  usage?: Usage
  model?: string
}

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/**
 * Reads usage and model from one JSON object of any family: OpenAI (`usage.prompt_tokens`, `model`), the
 * Responses API (`response.usage.input_tokens`, `response.model`), Anthropic (`usage` / `message.usage`,
 * `message.model`), Gemini (`usageMetadata`, `modelVersion`).
 */
export function answerFacts(data: unknown): AnswerFacts {
  const d = obj(data)
  if (!d) return {}
  const message = obj(d.message)
  const response = obj(d.response)
  const out: AnswerFacts = {}
  const u = obj(d.usage) ?? obj(message?.usage) ?? obj(response?.usage) ?? obj(d.usageMetadata)
  if (u) {
    out.usage = {
      input: count(u.prompt_tokens) ?? count(u.input_tokens) ?? count(u.promptTokenCount),
      output: count(u.completion_tokens) ?? count(u.output_tokens) ?? count(u.candidatesTokenCount),
    }
  }
  const model = str(d.model) ?? str(message?.model) ?? str(response?.model) ?? str(d.modelVersion)
  if (model !== undefined) out.model = model
  return out
}

/** Folds a stream's usage reports into one: each field as last reported (Anthropic sends output in a later event). */
export function mergeUsage(before: Usage | null, next: Usage): Usage {
  if (!before) return { ...next }
  return { input: next.input ?? before.input, output: next.output ?? before.output }
}

export function sameUsage(a: Usage | null | undefined, b: Usage | null | undefined): boolean {
  return (a ?? null) === null ? (b ?? null) === null : a?.input === b?.input && a?.output === b?.output
}

/**
 * The usage in what an upstream wrote: a JSON body or SSE events. Only the writes that mention usage are parsed
 * (OpenAI's chunks carry `"usage":null` until the last one): the upstream's hot path stays cheap.
 */
export function usageInWrites(writes: ReadonlyArray<string | Buffer>): Usage | null {
  let usage: Usage | null = null
  for (const w of writes) {
    const text = typeof w === 'string' ? w : w.toString('utf8')
    if (!text.includes('"usage":{') && !text.includes('"usageMetadata":{')) continue
    const payloads = text.startsWith('{') ? [text] : dataLines(text)
    for (const p of payloads) {
      try {
        const facts = answerFacts(JSON.parse(p))
        if (facts.usage) usage = mergeUsage(usage, facts.usage)
      } catch {
        // not JSON: not a usage report
      }
    }
  }
  return usage
}

function dataLines(text: string): string[] {
  const out: string[] = []
  for (const line of text.split('\n'))
    if (line.startsWith('data: ') || line.startsWith('data:{')) out.push(line.slice(line.indexOf(':') + 1).trim())
  return out
}

/** A compact fingerprint of a request: what a pass-through gateway must not change. */
export interface RequestDigest {
  /** A hash of the conversation: messages / input / contents and the system prompt, keys sorted. */
  content: string
  maxTokens: number | null
  stream: boolean
  /** How many tools the request declares. */
  tools: number
  /** Whether a stream asked for usage (`stream_options.include_usage`). */
  streamUsage: boolean
  /** Header names, lower-case, sorted, without the transport's own (host, content-length, connection…). */
  headers: string[]
}

/** Headers the HTTP transport itself sets or changes on every hop: never evidence of a gateway's conduct. */
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'upgrade',
  'proxy-connection',
])

/** The digest of a parsed request body (`stream` from the dialect: Gemini puts it in the path) and its headers. */
export function requestDigest(body: unknown, stream: boolean, headerNames: Iterable<string>): RequestDigest {
  const b = obj(body) ?? {}
  const gen = obj(b.generationConfig)
  const tools = Array.isArray(b.tools) ? b.tools.length : 0
  const fnv = new Fnv()
  fnv.add('[')
  const parts = [b.messages, b.input, b.contents, b.system, b.instructions, b.systemInstruction ?? b.system_instruction]
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) fnv.add(',')
    canonical(fnv, parts[i], 1, true)
  }
  fnv.add(']')
  return {
    content: fnv.hex(),
    maxTokens:
      count(b.max_tokens) ??
      count(b.max_completion_tokens) ??
      count(b.max_output_tokens) ??
      count(gen?.maxOutputTokens),
    stream,
    tools,
    streamUsage: obj(b.stream_options)?.include_usage === true,
    headers: headerList(headerNames),
  }
}

/**
 * Lists of header names seen lately: a gateway sends the same few lists again and again, and each journal entry
 * holding one of these (instead of a copy) keeps the journal small. The most recent first, a few of them.
 */
const RECENT_HEADER_LISTS: string[][] = []
const MAX_RECENT_HEADER_LISTS = 8

/** Header names, lower-case, once each, sorted, without the transport's own (a list shared: do not change it). */
function headerList(headerNames: Iterable<string>): string[] {
  const out: string[] = []
  for (const name of headerNames) {
    const h = name.toLowerCase()
    if (!TRANSPORT_HEADERS.has(h) && !out.includes(h)) out.push(h)
  }
  sortInPlace(out)
  for (let i = 0; i < RECENT_HEADER_LISTS.length; i++) {
    const known = RECENT_HEADER_LISTS[i] as string[]
    if (sameList(known, out)) {
      if (i > 0) {
        RECENT_HEADER_LISTS.splice(i, 1)
        RECENT_HEADER_LISTS.unshift(known)
      }
      return known
    }
  }
  RECENT_HEADER_LISTS.unshift(out)
  if (RECENT_HEADER_LISTS.length > MAX_RECENT_HEADER_LISTS) RECENT_HEADER_LISTS.pop()
  return out
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The body fields in which two digests differ (headers apart: they are listed, not judged). */
export function digestDifferences(sent: RequestDigest, received: RequestDigest): string[] {
  const out: string[] = []
  if (sent.content !== received.content) out.push('messages')
  if (sent.maxTokens !== received.maxTokens) out.push('max_tokens')
  if (sent.stream !== received.stream) out.push('stream')
  if (sent.tools !== received.tools) out.push('tools')
  if (sent.streamUsage !== received.streamUsage) out.push('include_usage')
  return out
}

/** Nesting deeper than this is digested as one marker: a hostile body must not exhaust the stack. */
const MAX_DEPTH = 64

/**
 * Feeds the canonical JSON of `v` (keys sorted, undefined members left out, undefined itself as null) to the hash,
 * piece by piece: the text is never built.
 */
function canonical(fnv: Fnv, v: unknown, depth: number, inArray: boolean): void {
  if (v === undefined) fnv.add('null')
  // A value JSON has no text for (a function) reads as a join and a template read it: empty, or "undefined".
  else if (v === null || typeof v !== 'object') fnv.add(JSON.stringify(v) ?? (inArray ? '' : 'undefined'))
  else if (depth >= MAX_DEPTH) fnv.add('"…"')
  else if (Array.isArray(v)) {
    fnv.add('[')
    for (let i = 0; i < v.length; i++) {
      if (i > 0) fnv.add(',')
      canonical(fnv, v[i], depth + 1, true)
    }
    fnv.add(']')
  } else {
    const o = v as Record<string, unknown>
    fnv.add('{')
    let first = true
    for (const k of sortedKeys(o)) {
      if (o[k] === undefined) continue
      if (!first) fnv.add(',')
      first = false
      fnv.add(JSON.stringify(k))
      fnv.add(':')
      canonical(fnv, o[k], depth + 1, false)
    }
    fnv.add('}')
  }
}

/** An object's keys in the order `sort()` puts them: code unit order. */
function sortedKeys(o: object): string[] {
  return sortInPlace(Object.keys(o))
}

/**
 * Sorts strings as `sort()` does (code unit order); a few (an object's keys, a request's header names) by
 * insertion, which spares sort()'s scratch copy on every request.
 */
function sortInPlace(items: string[]): string[] {
  if (items.length > 16) return items.sort()
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as string
    let j = i - 1
    while (j >= 0 && (items[j] as string) > item) {
      items[j + 1] = items[j] as string
      j--
    }
    items[j + 1] = item
  }
  return items
}

/** FNV-1a, 32 bits (rng.ts's hash32, continued piece by piece), as 8 hex digits: a fingerprint, not a security hash. */
class Fnv {
  private h = 0x811c9dc5

  add(text: string): void {
    this.h = hash32(text, this.h)
  }

  hex(): string {
    return hex8(this.h)
  }
}
