import type { ErrorSpec } from '../error-spec.js'
import type { Family } from '../family.js'
import { GARBAGE_RETRY_AFTER, type RetryAfterForm } from '../retry-after-form.js'
import { modelEntry, sseFrame } from './gemini-wire.js'
import {
  googleDefaultMessage,
  googleErrorBody,
  googleStatusName,
  protoDuration,
  quotaFailure,
  RATE_LIMIT_HELP,
  readGoogleError,
  retryInfo,
  statusOfName,
} from './google-errors.js'

const QUOTA_DOCS =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.'

/** A snake_case proto field path, as Google's validation messages name fields (`generation_config.max_output_tokens`). */
const snake = (param: string) => param.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/**
 * Google (the Gemini API): `{"error":{"code","message","status","details"}}` bodies, the status name as the error
 * type, and no Retry-After header at all: how long to wait is the body's `google.rpc.RetryInfo.retryDelay`. An
 * ErrorSpec's `details` values are the detail entries (QuotaFailure, Help), sent in their order, RetryInfo last.
 */
export const googleFamily: Family = {
  id: 'google',
  recognizes: (headers) => headers['x-goog-api-key'] !== undefined || headers['x-goog-api-client'] !== undefined,

  errorType: googleStatusName,
  defaultMessage: googleDefaultMessage,
  error(spec: ErrorSpec) {
    const details = spec.details ? Object.values(spec.details).map((d) => d as Record<string, unknown>) : []
    const delay = spec.retryAfterMs === undefined ? undefined : retryDelayForm(spec.retryAfterMs, spec.retryAfterForm)
    if (delay?.info) details.push(delay.info)
    const type = spec.type ?? googleStatusName(spec.status)
    return {
      type,
      body: googleErrorBody({ status: spec.status, message: spec.message, statusName: type, details }),
      headers: {},
      ...(delay ? { retryAfterMs: delay.meant } : {}),
    }
  },
  bodyProblem(issue, param) {
    const input = (issue as { input?: unknown }).input
    if (issue.code === 'invalid_type' && input === undefined)
      return {
        message: `* GenerateContentRequest.${snake(param)}: ${snake(param)} is not specified`,
        param,
        code: null,
      }
    const value = input === undefined ? '' : `, ${JSON.stringify(input)?.slice(0, 60)}`
    const why = issue.code === 'invalid_type' ? `(TYPE_${issue.expected.toUpperCase()})` : `: ${issue.message}`
    return { message: `Invalid value at '${snake(param)}' ${why}${value}`, param, code: null }
  },

  rateLimit(facts) {
    const perMinute = facts.kind === 'requests'
    const quota = quotaFailure(
      perMinute ? 'GenerateRequestsPerMinutePerProjectPerModel' : 'GenerateContentInputTokensPerModelPerMinute',
      perMinute ? 'generate_content_requests' : 'generate_content_input_token_count',
      facts.model,
      facts.limit,
    )
    const send = facts.sendRetryAfter !== false
    const metric = (quota.violations as Array<{ quotaMetric: string }>)[0]?.quotaMetric
    const retry = send ? `\nPlease retry in ${protoDuration(facts.retryAfterMs)}.` : ''
    return {
      status: 429,
      type: 'RESOURCE_EXHAUSTED',
      message: `${QUOTA_DOCS}\n* Quota exceeded for metric: ${metric}, limit: ${facts.limit}${facts.model ? `, model: ${facts.model}` : ''}${retry}`,
      details: { quota, help: RATE_LIMIT_HELP },
      ...(send ? { retryAfterMs: facts.retryAfterMs } : {}),
    }
  },
  // Google sends no rate-limit headers: what is left, and when it resets, is nowhere but in the error body.
  rateLimitHeaders: () => ({}),
  overloaded: (reason) => ({
    status: 503,
    type: 'UNAVAILABLE',
    message: `The model is overloaded. Please try again later.${reason ? ` (${reason})` : ''}`,
  }),
  quota: () => ({
    status: 429,
    type: 'RESOURCE_EXHAUSTED',
    message: `${QUOTA_DOCS}\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_requests, limit: 0`,
    details: {
      quota: quotaFailure('GenerateRequestsPerDayPerProjectPerModel', 'generate_content_requests', null, 0),
      help: RATE_LIMIT_HELP,
    },
  }),
  notFound: (method, path) => ({ status: 404, message: `Requested entity was not found: ${method} ${path}.` }),
  unknownModel: (model) => ({
    status: 404,
    message: `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
  }),
  tooLarge: (limitBytes) => ({ status: 413, message: `Request payload size exceeds the limit: ${limitBytes} bytes.` }),
  badJson: (jsonError) => ({ status: 400, message: `Invalid JSON payload received. ${jsonError}` }),

  headers: (facts) => ({
    vary: 'Origin, X-Origin, Referer',
    server: 'scaffolding on HTTPServer2',
    'server-timing': `gfet4t7; dur=${Math.round(facts.processingMs)}`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'x-xss-protection': '0',
  }),
  listModels: (ids) => ({ models: ids.map(modelEntry) }),

  streamError(facts) {
    const status = facts.type === undefined ? 503 : (statusOfName(facts.type) ?? 500)
    const name = facts.type ?? googleStatusName(status)
    const message = facts.message ?? googleDefaultMessage(status)
    return sseFrame(JSON.stringify(googleErrorBody({ status, message, statusName: name })))
  },
  malformedFrame: (kind) =>
    kind === 'bad-json'
      ? 'data: {"candidates": [{"content": {"parts": [{"text": \r\n\r\n'
      : // Protobuf JSON is forward compatible: a field the client does not know is ignored, never an error.
        sseFrame(JSON.stringify({ brownoutUnknownField: { note: 'clients must ignore unknown fields' } })),

  errorShape: readGoogleError,
}

/**
 * Google's RetryInfo in a `retry_after_format`: Google has no retry header, so every form with a delay is the usual
 * `retryDelay` ("1.300s"); zero is "0s", negative and garbage an unusable "-1s" / "soon", missing no RetryInfo.
 */
function retryDelayForm(
  ms: number,
  form: RetryAfterForm | undefined,
): { info?: Record<string, unknown>; meant: number | null } {
  if (form === 'missing') return { meant: null }
  if (form === 'negative') return { info: { ...retryInfo(0), retryDelay: '-1s' }, meant: null }
  if (form === 'garbage') return { info: { ...retryInfo(0), retryDelay: GARBAGE_RETRY_AFTER }, meant: null }
  if (form === 'zero') return { info: retryInfo(0), meant: 0 }
  return { info: retryInfo(ms), meant: ms }
}
