import { z } from 'zod'
import { jsonShape, jsonTemplate } from '../../json-template.js'
import { idSuffix, splitPieces, toolArgumentsFor } from '../../upstream/content.js'
import { type Exchange, sseData, tokenTimes } from '../../upstream/exchange.js'
import type { Plan } from '../../upstream/plan.js'
import { errorPlan, jsonTextPlan, ssePlan } from '../../upstream/replies.js'
import { validateBody } from '../../upstream/validate.js'
import { answerOf, badRequestPlan, promptTokens, unixSeconds, unknownModelPlan } from '../server-shared.js'
import { quickChat } from './quick-check.js'

const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), parameters: z.unknown().optional() }),
})

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
        content: z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]).optional(),
      }),
    )
    .min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  tools: z.array(functionTool).nullish(),
  tool_choice: z
    .union([
      z.enum(['none', 'auto', 'required']),
      z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
    ])
    .nullish(),
})

type ChatRequest = z.output<typeof chatRequestSchema>
type FunctionTool = z.output<typeof functionTool>

/** The tool the request forces, if any: tool_choice `required` (first tool) or a named function. */
function forcedTool(req: ChatRequest): FunctionTool | string | undefined {
  const choice = req.tool_choice
  const tools = req.tools ?? []
  if (choice === 'required') return tools[0] ?? "Invalid value for 'tool_choice': 'required' needs at least one tool."
  if (choice && typeof choice === 'object') {
    const tool = tools.find((t) => t.function.name === choice.function.name)
    return tool ?? `Invalid value for 'tool_choice': no function named '${choice.function.name}' in 'tools'.`
  }
  return undefined
}

const FINGERPRINT = 'fp_b40a0a7'

/** OpenAI's usage block: the counts, and the details it reports as zeros. */
function chatUsage<T>(prompt: T, completion: T, total: T) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: total,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  }
}

/** The non-streaming completion around a message; `message` is the assistant's message object. */
function completionObject<T>(h: Record<'id' | 'created' | 'model' | 'finish', T>, message: unknown, usage: unknown) {
  return {
    id: h.id,
    object: 'chat.completion',
    created: h.created,
    model: h.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: h.finish }],
    usage,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  }
}

/**
 * The non-streaming completion, shaped once: filling it gives exactly what JSON.stringify of the object gives,
 * at the cost of stringifying the values alone (the hot path of a throughput test).
 */
const completionJson = jsonShape(['id', 'created', 'model', 'message', 'finish', 'usage'], (h) =>
  completionObject(h, h.message, h.usage),
)

/** The same for a text answer, down to its content and counts (the commonest answer of all). */
const textCompletionJson = jsonShape(
  ['id', 'created', 'model', 'finish', 'content', 'prompt', 'completion', 'total'],
  (h) =>
    completionObject(
      h,
      { role: 'assistant', content: h.content, refusal: null, annotations: [] },
      chatUsage(h.prompt, h.completion, h.total),
    ),
)

/** POST /v1/chat/completions, streaming or not, text or a forced tool call. */
export function chatCompletions(ex: Exchange): Plan {
  const body = ex.body as Record<string, unknown> | undefined
  if (!body || typeof body !== 'object' || Array.isArray(body) || body.model === undefined) {
    return errorPlan(ex, { status: 400, message: 'you must provide a model parameter', param: null, code: null })
  }
  const parsed = validateBody(chatRequestSchema, body, ex.family, quickChat)
  if (!parsed.ok) return badRequestPlan(ex, parsed.problem)
  const req = parsed.value
  const unknown = unknownModelPlan(ex, req.model)
  if (unknown) return unknown
  const tool = forcedTool(req)
  if (typeof tool === 'string') return errorPlan(ex, { status: 400, message: tool, param: 'tool_choice' })

  const seed = ex.upstream.seed
  const id = `chatcmpl-${idSuffix(seed, ex.requestId, ex.attempt, 'chat')}`
  const base = {
    id,
    object: 'chat.completion.chunk',
    created: unixSeconds(ex),
    model: req.model,
    system_fingerprint: FINGERPRINT,
  }
  const prompt = promptTokens(req.messages)
  const answer = answerOf(ex, req.max_completion_tokens ?? req.max_tokens)
  const args = tool ? toolArgumentsFor(seed, ex.requestId, tool.function.name, tool.function.parameters) : ''
  const pieces = tool ? splitPieces(args) : answer.tokens
  const completion = tool ? pieces.length : answer.tokens.length
  const finish = tool ? 'tool_calls' : answer.finish
  const callId = tool ? `call_${idSuffix(seed, ex.requestId, 'call')}` : ''
  const times = tokenTimes(ex, pieces.length)
  const doneAt = times[times.length - 1] ?? 0
  const known = { input: prompt, output: completion }

  if (!req.stream && !tool) {
    const content = answer.tokens.join('')
    const total = prompt + completion
    const h = { id, created: base.created, model: req.model, finish, content, prompt, completion, total }
    return jsonTextPlan(ex, textCompletionJson(h), doneAt, known)
  }
  const usage = chatUsage(prompt, completion, prompt + completion)
  if (!req.stream && tool) {
    const message = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: callId, type: 'function', function: { name: tool.function.name, arguments: args } }],
      refusal: null,
      annotations: [],
    }
    const data = completionJson({ id, created: base.created, model: req.model, message, finish, usage })
    return jsonTextPlan(ex, data, doneAt, known)
  }

  const includeUsage = req.stream_options?.include_usage === true
  const chunk = (delta: unknown, finishReason: string | null = null) =>
    sseData({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    })
  const first = tool
    ? {
        role: 'assistant',
        content: null,
        tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: tool.function.name, arguments: '' } }],
        refusal: null,
      }
    : { role: 'assistant', content: '', refusal: null }
  const frames = [{ atMs: times[0] ?? 0, data: chunk(first) }]
  // Each piece's frame from one template per stream (what chunk(delta) gives): a stream has hundreds of frames.
  const pieceJson = jsonTemplate((hole) => ({
    ...base,
    choices: [
      {
        index: 0,
        delta: tool ? { tool_calls: [{ index: 0, function: { arguments: hole } }] } : { content: hole },
        logprobs: null,
        finish_reason: null,
      },
    ],
    ...(includeUsage ? { usage: null } : {}),
  }))
  for (const [i, text] of pieces.entries())
    frames.push({ atMs: times[i] ?? doneAt, data: `data: ${pieceJson(text)}\n\n` })
  frames.push({ atMs: doneAt, data: chunk({}, finish) })
  if (includeUsage) {
    frames.push({ atMs: doneAt, data: sseData({ ...base, choices: [], usage }) })
  }
  frames.push({ atMs: doneAt, data: 'data: [DONE]\n\n' })
  return ssePlan(ex, frames)
}
