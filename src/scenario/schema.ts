import { z } from 'zod'
import { API_NAMES } from '../dialects/registry.js'
import { durationSchema } from '../duration.js'
import { upstreamConfigSchema } from '../upstream/config.js'
import { GROUP_NAMES, sourceSchema } from './groups.js'

const RATE = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|m|h)\s*$/

/** An arrival rate: `10/s`, `600/m`, or a number per second. Parses to requests per second. */
export const rateSchema = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value
  const m = RATE.exec(value)
  if (!m?.[1] || !m[2]) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a rate; write it like 10/s, 600/m or a number per second`,
    })
    return z.NEVER
  }
  const perSecond: Record<string, number> = { s: 1, m: 60, h: 3600 }
  return Number(m[1]) / (perSecond[m[2]] ?? 1)
})

/** What each logical request looks like. */
export const requestTemplateSchema = z.strictObject({
  api: z.enum(API_NAMES).default('openai.chat').describe('which API the load speaks'),
  model: z.string().min(1).default('gpt-4o-mini'),
  stream: z.boolean().default(false),
  max_tokens: z.number().int().positive().optional().describe('omitted: the upstream answers at its natural length'),
  prompt: z.string().default('Write a short answer.').describe('user message; the request id marker is appended'),
  headers: z.record(z.string(), z.string()).default({}),
  upstream: z.string().optional().describe('with --direct: which upstream to send to (default: the first)'),
})

/** A weighted variation of the request template: only the fields it names change. */
export const mixEntrySchema = z.strictObject({
  weight: z.number().positive().default(1).describe('relative share of requests'),
  api: z.enum(API_NAMES).optional(),
  model: z.string().min(1).optional(),
  stream: z.boolean().optional(),
  max_tokens: z.number().int().positive().optional(),
  prompt: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  upstream: z.string().optional(),
})

export const stageSchema = z.strictObject({
  duration: durationSchema,
  rate: rateSchema.describe('target arrival rate at the end of the stage (linear ramp from the previous)'),
})

/**
 * Requests the load abandons, as a client that gives up would: a share of them (spread evenly, from a seeded offset)
 * is aborted `after` a time from its send, or after `after_chunks` stream events (whichever comes first when both are
 * given). What a gateway does upstream once its client left is what passthrough.cancellation and its neighbours grade.
 */
export const cancelSchema = z
  .strictObject({
    share: z
      .number()
      .gt(0)
      .max(1)
      .describe('share of requests abandoned, spread evenly from a seeded offset (0.2 = one in five)'),
    after: durationSchema.optional().describe('abandon this long after the request was sent (e.g. 300ms)'),
    after_chunks: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('abandon a stream after this many events arrived (a request whose answer is no stream is not cut)'),
  })
  .refine((c) => c.after !== undefined || c.after_chunks !== undefined, {
    message: 'say when a request is abandoned: after (a duration, e.g. 300ms) or after_chunks (stream events)',
  })

export const loadSchema = z
  .strictObject({
    request: requestTemplateSchema.default(requestTemplateSchema.parse({})),
    mix: z.array(mixEntrySchema).min(1).optional().describe('weighted variations of request'),
    rate: rateSchema.optional().describe('open model: constant arrival rate, e.g. 10/s'),
    stages: z.array(stageSchema).min(1).optional().describe('open model: ramping arrival rate'),
    concurrency: z.number().int().positive().optional().describe('closed model: N clients in a loop'),
    requests: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'send exactly this many requests (the first N of the schedule, at its rate), then stop: a repro bundle or a single-request run',
      ),
    timeout: durationSchema
      .default(30_000)
      .describe("the client's own deadline per request; past it the request is a hang"),
    max_connections: z
      .number()
      .int()
      .positive()
      .default(512)
      .describe('connections the load driver opens per origin; more requests queue for one'),
    max_in_flight: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe('requests due while this many are in flight are counted as not sent'),
    cancel: cancelSchema.optional().describe('abandon a share of requests, as a client that gives up'),
  })
  .refine((l) => [l.rate, l.stages, l.concurrency].filter((x) => x !== undefined).length <= 1, {
    message: 'choose one of rate, stages or concurrency',
  })

export const phaseSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'phase names are letters, digits, _ . -'),
  duration: durationSchema,
  rate: rateSchema.optional().describe('arrival rate in this phase (overrides load.rate)'),
})

export const expectValueSchema = z.union([
  z.string().describe('a threshold: ">= 0.99", "p(99) < 2s", "<= 3"'),
  z.number(),
  z.strictObject({
    threshold: z.union([z.string(), z.number()]),
    required: z.boolean().default(true).describe('false: advisory, reported but never fails the run'),
  }),
])

/** The limits the SUT itself is configured with (its own limiter or budget), stated so a run can check them. */
export const sutLimitsSchema = z
  .strictObject({
    requests: z.number().int().positive().optional().describe('at most this many requests admitted per `per`'),
    per: durationSchema.optional().describe('the window of `requests` (a sliding window)'),
    budget: z.number().int().positive().optional().describe('at most this many requests admitted in the whole run'),
  })
  .refine((l) => (l.requests === undefined) === (l.per === undefined), {
    message: 'state requests and per together (e.g. { requests: 20, per: 1s })',
  })
  .refine((l) => l.requests !== undefined || l.budget !== undefined, {
    message: 'state a rate limit ({ requests: 20, per: 1s }), a budget ({ budget: 30 }) or both',
  })

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(''),
  group: z.enum(GROUP_NAMES).optional().describe('catalogue group, for `brownout list scenarios`'),
  source: sourceSchema
    .optional()
    .describe('the field report the scenario mirrors (issue/PR URL) or "provider docs: …"'),
  seed: z.number().int().default(1),
  upstreams: z
    .record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'upstream names are letters, digits, _ and -'), upstreamConfigSchema)
    .refine((u) => Object.keys(u).length > 0, { message: 'declare at least one upstream' }),
  phases: z
    .array(phaseSchema)
    .min(1)
    .default([{ name: 'steady', duration: 10_000 }]),
  load: loadSchema.default(loadSchema.parse({})),
  expect: z.record(z.string(), expectValueSchema).default({}),
  client: z
    .string()
    .min(1)
    .optional()
    .describe(
      'a client profile (kind: client, a file relative to the scenario) run in front of the SUT: an SDK with its own retries calls the gateway, which calls the upstreams (ignored when the SUT is itself a client profile)',
    ),
  sut_limits: sutLimitsSchema
    .optional()
    .describe(
      "the SUT's own configured limit or budget; a SUT profile gets it as {{sut_limits.rate}} (N/<ms>ms) and {{sut_limits.budget}}",
    ),
})

export type Scenario = z.output<typeof scenarioSchema>
export type RequestTemplate = z.output<typeof requestTemplateSchema>
export type LoadSpec = z.output<typeof loadSchema>
export type CancelSpec = z.output<typeof cancelSchema>
export type SutLimits = z.output<typeof sutLimitsSchema>
