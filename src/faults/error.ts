import { z } from 'zod'
import type { ErrorSpec } from '../upstream/replies.js'
import { errorAnswer } from './effect.js'
import { defineFault } from './fault.js'
import { drawRetryAfterMs, retryAfterSchema } from './retry-after.js'

const OPENAI_MESSAGES: Record<number, string> = {
  400: 'Invalid request.',
  401: 'Incorrect API key provided: sk-fake. You can find your API key at https://platform.openai.com/account/api-keys.',
  403: 'Country, region, or territory not supported',
  404: 'The model does not exist or you do not have access to it.',
  408: 'Request timed out.',
  409: 'Conflict.',
  422: 'Unprocessable entity.',
  429: 'Rate limit reached. Please try again later.',
  500: 'The server had an error while processing your request. Sorry about that!',
  502: 'Bad gateway.',
  503: 'Service Unavailable.',
  504: 'Gateway timeout.',
}

/** The message a provider would send for a status, when the fault does not say. */
export function defaultMessage(provider: 'openai' | 'anthropic', status: number): string {
  if (provider === 'anthropic') return status >= 500 ? 'Internal server error' : `Error ${status}`
  return (
    OPENAI_MESSAGES[status] ??
    (status >= 500 ? 'The server had an error while processing your request.' : `Error ${status}`)
  )
}

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
  effect: { summary: 'by status: 408, 409, 429, 5xx transient; other 4xx fatal', of: (cfg) => errorAnswer(cfg.status) },
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
      message: cfg.message ?? defaultMessage(ctx.ex.provider, cfg.status),
      headers: { ...retryHeaders(cfg), ...cfg.headers },
    }
    if (cfg.error_type !== undefined) spec.type = cfg.error_type
    if (cfg.code !== undefined) spec.code = cfg.code
    if (cfg.retry_after !== undefined) spec.retryAfterMs = drawRetryAfterMs(cfg.retry_after, ctx.rng)
    return ctx.error(spec)
  },
})
