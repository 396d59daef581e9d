import { z } from 'zod'
import type { ErrorSpec } from '../dialects/error-spec.js'
import type { FaultEffect } from './effect.js'
import { errorAnswer } from './effect.js'
import { defineFault } from './fault.js'
import { checkRetryAfterForm, retryAfterFormatSchema, retryAfterSchema, retryAfterSpec } from './retry-after.js'

export const retryHeaderFields = {
  retry_after: retryAfterSchema
    .optional()
    .describe(
      'sends retry-after (whole seconds, rounded up) and retry-after-ms; a range { min, max } draws a value per attempt',
    ),
  retry_after_format: retryAfterFormatSchema,
  should_retry: z.boolean().optional().describe('sends x-should-retry: true|false (the SDKs obey it over the status)'),
}

/**
 * The effect of an error answer: `x-should-retry` overrides the status (the SDKs obey it first): true makes any
 * error transient, false makes it fatal; without it, the status decides.
 */
export function shouldRetryEffect(shouldRetry: boolean | undefined, status: number): FaultEffect {
  if (shouldRetry === undefined) return errorAnswer(status)
  return { effect: shouldRetry ? 'transient' : 'fatal', content: 'none' }
}

export function retryHeaders(cfg: { should_retry?: boolean | undefined }): Record<string, string> {
  return cfg.should_retry === undefined ? {} : { 'x-should-retry': String(cfg.should_retry) }
}

export const error = defineFault({
  type: 'error',
  summary: 'Any HTTP status with a provider-shaped body and headers',
  example: { type: 'error', status: 503, retry_after: '1s' },
  effect: {
    summary: 'by status: 408, 409, 429, 5xx transient; other 4xx fatal; should_retry true/false overrides',
    of: (cfg) => shouldRetryEffect(cfg.should_retry, cfg.status),
  },
  schema: z
    .strictObject({
      type: z.literal('error'),
      status: z.number().int().min(400).max(599).describe('HTTP status, 400-599'),
      message: z.string().optional().describe('error message; the provider-like default otherwise'),
      error_type: z
        .string()
        .optional()
        .describe('provider error type (e.g. server_error, api_error); from the status otherwise'),
      code: z.string().optional().describe('OpenAI error code (e.g. context_length_exceeded)'),
      ...retryHeaderFields,
      headers: z.record(z.string(), z.string()).optional().describe('extra response headers'),
    })
    .superRefine(checkRetryAfterForm),
  apply: (cfg, _plan, ctx) => {
    const spec: ErrorSpec = {
      status: cfg.status,
      message: cfg.message ?? ctx.family.defaultMessage(cfg.status),
      headers: { ...retryHeaders(cfg), ...cfg.headers },
    }
    if (cfg.error_type !== undefined) spec.type = cfg.error_type
    if (cfg.code !== undefined) spec.code = cfg.code
    Object.assign(spec, retryAfterSpec(cfg, ctx.rng, ctx.nowMs))
    return ctx.error(spec)
  },
})
