import { z } from 'zod'
import { jsonTemplate } from '../../json-template.js'
import { estimateTokens, idSuffix } from '../../upstream/content.js'
import { type Exchange, tokenTimes } from '../../upstream/exchange.js'
import type { Plan } from '../../upstream/plan.js'
import { errorPlan, jsonPlan, ssePlan } from '../../upstream/replies.js'
import { validateBody } from '../../upstream/validate.js'
import { finishReason, GEMINI_MODELS, generateResponse, modelEntry, sseFrame } from '../families/gemini-wire.js'
import { answerOf, badRequestPlan, unknownModelPlan } from '../server-shared.js'

const part = z.looseObject({ text: z.string().optional() })
const content = z.looseObject({ role: z.enum(['user', 'model']).optional(), parts: z.array(part).min(1) })

export const generateRequestSchema = z.looseObject({
  contents: z.array(content).min(1),
  systemInstruction: z.looseObject({ parts: z.array(part) }).optional(),
  generationConfig: z
    .looseObject({
      maxOutputTokens: z.number().int().positive().optional(),
      candidateCount: z.literal(1).optional(),
    })
    .optional(),
})

type GenerateRequest = z.output<typeof generateRequestSchema>

/** Prompt tokens: every text part of the contents and the system instruction. */
function promptTokens(req: GenerateRequest): number {
  let text = ''
  for (const c of [...req.contents, req.systemInstruction ?? { parts: [] }])
    for (const p of c.parts) text += p.text ?? ''
  return Math.max(1, estimateTokens(text))
}

/**
 * POST /v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse. A stream is one
 * GenerateContentResponse per token, each with the usage so far; the last carries the finishReason (Gemini has
 * no `[DONE]`: that chunk is the end).
 */
export function generateContent(ex: Exchange): Plan {
  const parsed = validateBody(generateRequestSchema, ex.body, ex.family)
  if (!parsed.ok) return badRequestPlan(ex, parsed.problem)
  const req = parsed.value
  const model = ex.params.model ?? ''
  const unknown = unknownModelPlan(ex, model)
  if (unknown) return unknown
  if (ex.path.endsWith(':streamGenerateContent') && !ex.stream)
    return errorPlan(ex, {
      status: 400,
      message:
        'brownout serves streamGenerateContent as server-sent events only: add ?alt=sse to the URL (as the official SDKs do).',
    })

  const answer = answerOf(ex, req.generationConfig?.maxOutputTokens)
  const prompt = promptTokens(req)
  const meta = { model, responseId: idSuffix(ex.upstream.seed, ex.requestId, ex.attempt, 'gemini') }
  const finish = finishReason(answer.finish)
  const pieces = answer.tokens
  const times = tokenTimes(ex, pieces.length)
  const doneAt = times[times.length - 1] ?? 0
  const whole = { promptTokens: prompt, candidatesTokens: pieces.length }
  if (!ex.stream) return jsonPlan(ex, generateResponse(pieces.join(''), finish, whole, meta), doneAt)

  // Every chunk but the last from one template per stream: a stream has hundreds of chunks.
  const chunk = jsonTemplate((hole) => generateResponse(hole, undefined, { promptTokens: prompt }, meta))
  const frames = pieces.map((text, i) => ({ atMs: times[i] ?? doneAt, data: sseFrame(chunk(text)) }))
  const lastText = pieces[pieces.length - 1] ?? ''
  const last = sseFrame(JSON.stringify(generateResponse(lastText, finish, whole, meta)))
  if (frames.length === 0) frames.push({ atMs: doneAt, data: last })
  else frames[frames.length - 1] = { atMs: doneAt, data: last }
  const plan = ssePlan(ex, frames)
  plan.headers['content-type'] = 'text/event-stream'
  return plan
}

/** The models the upstream serves: its configured list, else Gemini's usual ones. */
function modelIds(ex: Exchange): readonly string[] {
  return ex.upstream.config.models.length > 0 ? ex.upstream.config.models : GEMINI_MODELS
}

/** GET /v1beta/models: `{ models: [{ name: 'models/…', … }] }`, one page. */
export function listGeminiModels(ex: Exchange): Plan {
  return jsonPlan(ex, ex.family.listModels(modelIds(ex), 0), 0)
}

/** GET /v1beta/models/{model}: one model, or 404 NOT_FOUND. */
export function getGeminiModel(ex: Exchange): Plan {
  const id = ex.params.model ?? ''
  if (!modelIds(ex).includes(id)) return errorPlan(ex, ex.family.unknownModel(id))
  return jsonPlan(ex, modelEntry(id), 0)
}
