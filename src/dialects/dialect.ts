import type { SseEvent } from '../load/sse.js'
import type { Exchange } from '../upstream/exchange.js'
import type { Plan } from '../upstream/plan.js'
import type { AnswerFacts } from './passthrough.js'
import type { RoutePattern } from './route.js'
import { promptTokens, tokenCount } from './tokens.js'
import type { DialectWire } from './wire.js'

/**
 * One API, both sides of it: what the fake upstream serves and what brownout's load driver sends and reads.
 * A dialect lives in its own folder (`src/dialects/openai-chat/`) and is listed on one line of
 * `src/dialects/registry.ts`; nothing else names it. What the APIs of one provider share (error bodies, rate-limit
 * headers, the 429/overload/quota specs) is its `family` (`src/dialects/families/`).
 *
 * The dialect contract suite (`test/dialects/contract.test.ts`) runs every registered dialect through its own
 * client side, a real upstream and the official SDK: register a dialect and it is covered.
 */
export interface Dialect extends DialectWire {
  /** The id scenario files use in `load.request.api` (`openai.chat`): family, dot, API. */
  api: string

  // ---- the server side ----
  /** The routes it serves; the upstream's router is built from every dialect's routes. */
  routes: readonly DialectRoute[]
  /**
   * The model and stream flag of a request, for the journal, fault rules (`when: { model, stream }`) and faults.
   * Most dialects read the body's `model` and `stream` (`bodyFacts`); Gemini reads both from the path
   * (`ex.params.model`, `:streamGenerateContent`).
   */
  requestFacts(ex: RequestParts): RequestFacts

  // ---- the client side ----
  client: DialectClient
}

/** A route of a dialect: where it is matched (`RoutePattern`: path parameters, required query) and its handler. */
export interface DialectRoute extends RoutePattern {
  /** Whether requests here generate tokens, count against rate limits and carry a model (default true). */
  generates?: boolean
  /**
   * The answer before any fault: the deterministic success (`answerFor`), or the error the provider would send
   * for this body (validation, unknown model, a forced tool that does not exist). Pure: timing comes from
   * `tokenTimes(ex, …)`, randomness from `attemptRng(ex, …)`, errors from `errorPlan(ex, family.…)`.
   */
  handle(ex: Exchange): Plan
}

/** What `requestFacts` may read: the parsed body, the route's path parameters, the query. */
export type RequestParts = Pick<Exchange, 'body' | 'params' | 'query'>

export interface RequestFacts {
  model: string | null
  stream: boolean
  /** The prompt's estimated tokens (`promptTokens` over the request's contents), for TPM accounting. */
  promptTokens: number
  /** The output tokens the request asks for at most, when it says (else the upstream's content default). */
  maxTokens: number | null
  /**
   * Whether the request ends on an assistant turn (an assistant prefill: the partial answer sent for the model to
   * continue), for `when: { prefill: true }`: the last of `messages` (or of `input`) has role `assistant`; for
   * Gemini the last of `contents` has role `model`.
   */
  prefill: boolean
}

/** The client side's view of one request of a scenario's load (a `RequestTemplate` after the SUT's model mapping). */
export interface ClientRequest {
  model: string
  /** Asked for a stream; a dialect that does not stream ignores it. */
  stream: boolean
  /** Undefined: the dialect's default (Anthropic needs one: 1024), or none sent. */
  maxTokens: number | undefined
}

/** What one stream event means for a client record. */
export interface EventMeaning {
  text?: string
  finish?: string
  terminal?: boolean
  /** The in-band error's type (or message), when the event is one. */
  error?: string
  /** Usage and model the event reported (`answerFacts`), for the pass-through checks. */
  facts?: AnswerFacts
}

/** The text and finish reason of a non-streaming success body (text null where the API has none: embeddings). */
export interface BodyMeaning {
  text: string | null
  finish: string | null
}

/**
 * The client side: how brownout's load driver (and a client-mode SUT) speaks the API. Nothing here touches the
 * upstream: the contract suite proves both sides agree by sending what `body` builds to a real upstream and
 * reading the answer back with `interpretEvent`/`interpretBody`.
 */
export interface DialectClient {
  /** The path a request goes to when the SUT profile does not say (`/v1/chat/completions`; Gemini puts the model in it). */
  defaultPath(req: ClientRequest): string
  /**
   * Auth (and version) headers, each sent unless the template or the SUT profile sets it: `authorization: Bearer …`
   * (OpenAI), `x-api-key` + `anthropic-version` (Anthropic), `api-key` (Azure), `x-goog-api-key` (Gemini).
   * Values are fakes; order is the order they are sent in.
   */
  authHeaders: Readonly<Record<string, string>>
  /** The JSON body for a request whose last user message is `content` (the prompt with its request id marker). */
  body(req: ClientRequest, content: string): Record<string, unknown>
  /** Whether the API streams at all (embeddings do not: a template's `stream: true` is ignored). */
  streams: boolean
  /** Whether a success carries text that must equal the deterministic answer (embeddings: vectors, no text). */
  hasExpectedText: boolean
  /** The base URL an official SDK of this API takes, given the upstream's origin (`http://127.0.0.1:PORT`). */
  sdkBaseUrl(origin: string): string
  /** Reads one SSE event: content, finish reason, terminal event, in-band error; 'unparseable' for bad JSON. */
  interpretEvent(ev: SseEvent): EventMeaning | 'unparseable'
  /** Reads a non-streaming success body; undefined when it is not in the API's shape. */
  interpretBody(body: unknown): BodyMeaning | undefined
}

/** Declares a dialect, keeping its `api` id as a literal type (the registry derives `ApiName` from it). */
export function defineDialect<const D extends Dialect>(dialect: D): D {
  return dialect
}

/** The usual request facts: the body's `model` (a string) and `stream: true`. */
export function bodyFacts(ex: RequestParts): RequestFacts {
  const fields = (ex.body && typeof ex.body === 'object' ? ex.body : {}) as Record<string, unknown>
  return {
    model: typeof fields.model === 'string' ? fields.model : null,
    stream: fields.stream === true,
    promptTokens: promptTokens([fields.messages, fields.input, fields.system, fields.instructions]),
    maxTokens:
      tokenCount(fields.max_tokens) ?? tokenCount(fields.max_completion_tokens) ?? tokenCount(fields.max_output_tokens),
    prefill: endsWithRole(fields.messages, 'assistant') || endsWithRole(fields.input, 'assistant'),
  }
}

/** Whether `turns` is a list whose last item is an object with this `role` (an assistant prefill, for one). */
export function endsWithRole(turns: unknown, role: string): boolean {
  if (!Array.isArray(turns) || turns.length === 0) return false
  const last: unknown = turns[turns.length - 1]
  return typeof last === 'object' && last !== null && (last as { role?: unknown }).role === role
}
