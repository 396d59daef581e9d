import { z } from 'zod'
import { embeddingFor, estimateTokens } from '../../upstream/content.js'
import { type Exchange, tokenTimes } from '../../upstream/exchange.js'
import type { Plan } from '../../upstream/plan.js'
import { errorPlan, jsonPlan } from '../../upstream/replies.js'
import { validateBody } from '../../upstream/validate.js'
import { badRequestPlan, unknownModelPlan } from '../server-shared.js'

export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int()).min(1)).min(1),
  ]),
  dimensions: z.number().int().positive().max(8192).optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
})

function defaultDimensions(model: string): number {
  return model.includes('large') ? 3072 : 1536
}

function base64Floats(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64')
}

/** POST /v1/embeddings: unit vectors deterministic from (seed, input text, dimensions). */
export function embeddings(ex: Exchange): Plan {
  const body = ex.body as Record<string, unknown> | undefined
  if (!body || typeof body !== 'object' || Array.isArray(body) || body.model === undefined) {
    return errorPlan(ex, { status: 400, message: 'you must provide a model parameter' })
  }
  const parsed = validateBody(embeddingsRequestSchema, body, ex.family)
  if (!parsed.ok) return badRequestPlan(ex, parsed.problem)
  const req = parsed.value
  const unknown = unknownModelPlan(ex, req.model)
  if (unknown) return unknown
  const inputs: string[] =
    typeof req.input === 'string'
      ? [req.input]
      : typeof req.input[0] === 'number'
        ? [JSON.stringify(req.input)]
        : (req.input as Array<string | number[]>).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
  const dims = req.dimensions ?? defaultDimensions(req.model)
  const tokens = inputs.reduce((sum, text) => sum + estimateTokens(text), 0)
  const data = inputs.map((text, index) => {
    const vector = embeddingFor(ex.upstream.seed, text, dims)
    return { object: 'embedding', index, embedding: req.encoding_format === 'base64' ? base64Floats(vector) : vector }
  })
  const [doneAt = 0] = tokenTimes(ex, 1)
  return jsonPlan(
    ex,
    { object: 'list', data, model: req.model, usage: { prompt_tokens: tokens, total_tokens: tokens } },
    doneAt,
  )
}
