import { z } from 'zod'
import { embeddingFor } from '../../upstream/content.js'
import { type Exchange, tokenTimes } from '../../upstream/exchange.js'
import type { Plan } from '../../upstream/plan.js'
import { jsonPlan } from '../../upstream/replies.js'
import { validateBody } from '../../upstream/validate.js'
import { embeddingDimensions } from '../families/gemini-wire.js'
import { badRequestPlan, unknownModelPlan } from '../server-shared.js'

const embedRequest = z.looseObject({
  model: z.string().optional(),
  content: z.looseObject({ parts: z.array(z.looseObject({ text: z.string().optional() })).min(1) }),
  taskType: z.string().optional(),
  outputDimensionality: z.number().int().positive().max(8192).optional(),
})

export const embedRequestSchema = embedRequest
export const batchEmbedRequestSchema = z.looseObject({ requests: z.array(embedRequest).min(1) })

type EmbedRequest = z.output<typeof embedRequest>

/** One vector: unit length, deterministic from (seed, the content's text, dimensions). */
function vectorOf(ex: Exchange, req: EmbedRequest, model: string): { values: number[] } {
  const text = req.content.parts.map((p) => p.text ?? '').join('')
  return { values: embeddingFor(ex.upstream.seed, text, embeddingDimensions(model, req.outputDimensionality)) }
}

/** POST /v1beta/models/{model}:embedContent → `{ embedding: { values } }`. */
export function embedContent(ex: Exchange): Plan {
  const model = ex.params.model ?? ''
  const parsed = validateBody(embedRequestSchema, ex.body, ex.family)
  if (!parsed.ok) return badRequestPlan(ex, parsed.problem)
  const unknown = unknownModelPlan(ex, model)
  if (unknown) return unknown
  const [doneAt = 0] = tokenTimes(ex, 1)
  return jsonPlan(ex, { embedding: vectorOf(ex, parsed.value, model) }, doneAt)
}

/** POST /v1beta/models/{model}:batchEmbedContents (what the SDK's embedContent sends) → `{ embeddings: [{ values }] }`. */
export function batchEmbedContents(ex: Exchange): Plan {
  const model = ex.params.model ?? ''
  const parsed = validateBody(batchEmbedRequestSchema, ex.body, ex.family)
  if (!parsed.ok) return badRequestPlan(ex, parsed.problem)
  const unknown = unknownModelPlan(ex, model)
  if (unknown) return unknown
  const [doneAt = 0] = tokenTimes(ex, 1)
  return jsonPlan(ex, { embeddings: parsed.value.requests.map((r) => vectorOf(ex, r, model)) }, doneAt)
}
