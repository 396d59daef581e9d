import { z } from 'zod'
import { FAMILY_IDS } from '../dialects/families.js'
import { rulesSchema } from '../faults/rules.js'
import { capacitySchema } from './capacity.js'
import { contentSchema } from './content.js'
import { limitsSchema } from './limits.js'
import { latencySchema } from './timing.js'

/**
 * One fake upstream, as written under `upstreams.<name>` in a scenario or in `brownout serve --config`.
 * Every dialect's endpoints are served; `provider` (a family) decides the error shape where the path does not
 * (unknown paths, /v1/models) and the request headers do not either.
 */
export const upstreamConfigSchema = z.strictObject({
  provider: z.enum(FAMILY_IDS).default('openai'),
  port: z.number().int().min(0).max(65_535).default(0).describe('0 picks a free port'),
  host: z.string().default('127.0.0.1'),
  latency: latencySchema,
  content: contentSchema,
  models: z.array(z.string().min(1)).default([]).describe('when set, other models get 404 model_not_found'),
  limits: limitsSchema.default({}),
  capacity: capacitySchema.optional().describe('overload model: max concurrency, bounded queue, latency inflation'),
  faults: rulesSchema.default([]).describe('fault rules, first match wins'),
  header_faults: z.boolean().default(false).describe('accept faults from the x-brownout-fault request header'),
  admin_token: z
    .string()
    .min(8)
    .optional()
    .describe('when set, /_brownout/* (except /health) needs `authorization: Bearer <token>`'),
  refuse_connections: z
    .boolean()
    .default(false)
    .describe('nothing listens on the port: connections are refused (the "firewall" case)'),
  max_body_bytes: z
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024)
    .describe('larger bodies get 413'),
})

export type UpstreamConfigInput = z.input<typeof upstreamConfigSchema>
export type UpstreamConfig = z.output<typeof upstreamConfigSchema>

export const DEFAULT_MODELS = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1',
  'gpt-4.1-mini',
  'o4-mini',
  'text-embedding-3-small',
  'text-embedding-3-large',
  'claude-sonnet-4-6',
  'claude-haiku-4-5',
  'claude-opus-4-7',
]
