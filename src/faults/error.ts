import { z } from 'zod'
import type { ErrorSpec } from '../dialects/error-spec.js'
import { defineFault } from './fault.js'
import { drawRetryAfterMs, retryAfterSchema } from './retry-after.js'

export const retryHeaderFields = {
  retry_after: retryAfterSchema
    .optional()
    .describe(
      'sends retry-after (whole seconds, rounded up) and retry-after-ms; a range { min, max } draws a value per attempt',
    ),
  should_retry: z.boolean().optional().describe('sends x-should-retry: true|false (the SDKs obey it over the status)'),
}

export function retryHeaders(cfg: { should_retry?: boolean | undefined }): Record<string, string> {
  return cfg.should_retry === undefined ? {} : { 'x-should-retry': String(cfg.should_retry) }
}

export const error = defineFault({
  type: 'error',
  summary: 'Any HTTP status with a provider-shaped body and headers',
  example: { type: 'error', status: 503, retry_after: '1s' },
  schema: z.strictObject({
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
  }),
  apply: (cfg, _plan, ctx) => {
    const spec: ErrorSpec = {
      status: cfg.status,
      message: cfg.message ?? ctx.family.defaultMessage(cfg.status),
      headers: { ...retryHeaders(cfg), ...cfg.headers },
    }
    if (cfg.error_type !== undefined) spec.type = cfg.error_type
    if (cfg.code !== undefined) spec.code = cfg.code
    if (cfg.retry_after !== undefined) spec.retryAfterMs = drawRetryAfterMs(cfg.retry_after, ctx.rng)
    return ctx.error(spec)
  },
})
