import { z } from 'zod'
import { jsonTemplate } from '../../json-template.js'
import { idSuffix, splitPieces, toolArgumentsFor } from '../../upstream/content.js'
import { type Exchange, sseEvent, tokenTimes } from '../../upstream/exchange.js'
import type { Plan } from '../../upstream/plan.js'
import { errorPlan, jsonPlan, ssePlan } from '../../upstream/replies.js'
import { validateBody } from '../../upstream/validate.js'
import { answerOf, badRequestPlan, promptTokens, unknownModelPlan } from '../server-shared.js'
import { quickMessages } from './quick-check.js'

const tool = z.looseObject({ name: z.string().min(1), input_schema: z.unknown().optional() })

export const messagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['user', 'assistant']),
        content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]),
      }),
    )
    .min(1),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).optional(),
  stream: z.boolean().optional(),
  tools: z.array(tool).optional(),
  tool_choice: z
    .union([
      z.looseObject({ type: z.enum(['auto', 'any', 'none']) }),
      z.looseObject({ type: z.literal('tool'), name: z.string() }),
    ])
    .optional(),
})

type MessagesRequest = z.output<typeof messagesRequestSchema>

function forcedTool(req: MessagesRequest): z.output<typeof tool> | string | undefined {
  const choice = req.tool_choice
  const tools = req.tools ?? []
  if (choice?.type === 'any') return tools[0] ?? 'tool_choice: "any" requires at least one tool in `tools`'
  if (choice?.type === 'tool') {
    const name = (choice as { name: string }).name
    return tools.find((t) => t.name === name) ?? `tool_choice: tool "${name}" not found in \`tools\``
  }
  return undefined
}

/** POST /v1/messages, streaming or not, text or a forced tool_use. */
export function messages(ex: Exchange): Plan {
  const parsed = validateBody(messagesRequestSchema, ex.body, ex.family, quickMessages)
  if (!parsed.ok) return badRequestPlan(ex, parsed.problem)
  const req = parsed.value
  const unknown = unknownModelPlan(ex, req.model)
  if (unknown) return unknown
  const chosen = forcedTool(req)
  if (typeof chosen === 'string') return errorPlan(ex, { status: 400, message: chosen })

  const seed = ex.upstream.seed
  const id = `msg_${idSuffix(seed, ex.requestId, ex.attempt, 'msg')}`
  const inputTokens = promptTokens([req.system ?? '', req.messages])
  const answer = answerOf(ex, req.max_tokens)
  const args = chosen ? toolArgumentsFor(seed, ex.requestId, chosen.name, chosen.input_schema) : ''
  const pieces = chosen ? splitPieces(args) : answer.tokens
  const stopReason = chosen ? 'tool_use' : answer.finish === 'length' ? 'max_tokens' : 'end_turn'
  const toolId = `toolu_${idSuffix(seed, ex.requestId, 'toolu')}`
  const usage = {
    input_tokens: inputTokens,
    output_tokens: pieces.length,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  }
  const times = tokenTimes(ex, pieces.length)
  const doneAt = times[times.length - 1] ?? 0
  const message = { id, type: 'message', role: 'assistant', model: req.model }

  if (!req.stream) {
    const content = chosen
      ? [{ type: 'tool_use', id: toolId, name: chosen.name, input: JSON.parse(args) as unknown }]
      : [{ type: 'text', text: answer.tokens.join('') }]
    return jsonPlan(ex, { ...message, content, stop_reason: stopReason, stop_sequence: null, usage }, doneAt)
  }

  const start = times[0] ?? 0
  const block = chosen ? { type: 'tool_use', id: toolId, name: chosen.name, input: {} } : { type: 'text', text: '' }
  const frames = [
    {
      atMs: start,
      data: sseEvent('message_start', {
        type: 'message_start',
        message: {
          ...message,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      }),
    },
    {
      atMs: start,
      data: sseEvent('content_block_start', { type: 'content_block_start', index: 0, content_block: block }),
    },
    { atMs: start, data: sseEvent('ping', { type: 'ping' }) },
  ]
  // Each piece's event from one template per stream: a stream has hundreds of events.
  const deltaJson = jsonTemplate((hole) => ({
    type: 'content_block_delta',
    index: 0,
    delta: chosen ? { type: 'input_json_delta', partial_json: hole } : { type: 'text_delta', text: hole },
  }))
  pieces.forEach((piece, i) => {
    frames.push({ atMs: times[i] ?? doneAt, data: `event: content_block_delta\ndata: ${deltaJson(piece)}\n\n` })
  })
  frames.push(
    { atMs: doneAt, data: sseEvent('content_block_stop', { type: 'content_block_stop', index: 0 }) },
    {
      atMs: doneAt,
      data: sseEvent('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { output_tokens: pieces.length },
      }),
    },
    { atMs: doneAt, data: sseEvent('message_stop', { type: 'message_stop' }) },
  )
  return ssePlan(ex, frames)
}
