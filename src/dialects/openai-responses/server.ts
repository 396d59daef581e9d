import { z } from 'zod'
import { idSuffix } from '../../upstream/content.js'
import { type Exchange, sseEvent, tokenTimes } from '../../upstream/exchange.js'
import type { Plan } from '../../upstream/plan.js'
import { errorPlan, jsonPlan, ssePlan } from '../../upstream/replies.js'
import { validateBody } from '../../upstream/validate.js'
import { answerOf, badRequestPlan, promptTokens, unixSeconds, unknownModelPlan } from '../server-shared.js'

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.looseObject({}))]),
  instructions: z.string().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  stream: z.boolean().nullish(),
})

/** POST /v1/responses: a text answer, as one Response object or as typed SSE events through response.completed. */
export function responses(ex: Exchange): Plan {
  const body = ex.body as Record<string, unknown> | undefined
  if (!body || typeof body !== 'object' || Array.isArray(body) || body.model === undefined) {
    return errorPlan(ex, {
      status: 400,
      message: "Missing required parameter: 'model'.",
      param: 'model',
      code: 'missing_required_parameter',
    })
  }
  const parsed = validateBody(responsesRequestSchema, body, ex.family)
  if (!parsed.ok) return badRequestPlan(ex, parsed.problem)
  const req = parsed.value
  const unknown = unknownModelPlan(ex, req.model)
  if (unknown) return unknown

  const seed = ex.upstream.seed
  const respId = `resp_${idSuffix(seed, ex.requestId, ex.attempt, 'resp')}`
  const itemId = `msg_${idSuffix(seed, ex.requestId, ex.attempt, 'item')}`
  const answer = answerOf(ex, req.max_output_tokens)
  const text = answer.tokens.join('')
  const inputTokens = promptTokens([req.instructions ?? '', req.input])
  const outputTokens = answer.tokens.length
  const incomplete = answer.finish === 'length'
  const part = { type: 'output_text', text, annotations: [], logprobs: [] }
  const item = {
    id: itemId,
    type: 'message',
    status: incomplete ? 'incomplete' : 'completed',
    role: 'assistant',
    content: [part],
  }
  const response = (status: string, output: unknown[], usage: unknown) => ({
    id: respId,
    object: 'response',
    created_at: unixSeconds(ex),
    status,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    model: req.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
  })
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  }
  const finalStatus = incomplete ? 'incomplete' : 'completed'
  const times = tokenTimes(ex, answer.tokens.length)
  const doneAt = times[times.length - 1] ?? 0
  if (!req.stream) return jsonPlan(ex, response(finalStatus, [item], usage), doneAt)

  let seq = 0
  const start = times[0] ?? 0
  const frame = (atMs: number, type: string, fields: Record<string, unknown>) => ({
    atMs,
    data: sseEvent(type, { type, sequence_number: seq++, ...fields }),
  })
  const at = { item_id: itemId, output_index: 0, content_index: 0 }
  const frames = [
    frame(start, 'response.created', { response: response('in_progress', [], null) }),
    frame(start, 'response.in_progress', { response: response('in_progress', [], null) }),
    frame(start, 'response.output_item.added', {
      output_index: 0,
      item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    }),
    frame(start, 'response.content_part.added', {
      ...at,
      part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
    }),
  ]
  answer.tokens.forEach((delta, i) => {
    frames.push(frame(times[i] ?? doneAt, 'response.output_text.delta', { ...at, delta, logprobs: [] }))
  })
  frames.push(
    frame(doneAt, 'response.output_text.done', { ...at, text, logprobs: [] }),
    frame(doneAt, 'response.content_part.done', { ...at, part }),
    frame(doneAt, 'response.output_item.done', { output_index: 0, item }),
    frame(doneAt, `response.${finalStatus}`, { response: response(finalStatus, [item], usage) }),
  )
  return ssePlan(ex, frames)
}
