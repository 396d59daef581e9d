import { goDuration } from '../../duration.js'
import type { ErrorSpec } from '../error-spec.js'
import type { Family } from '../family.js'
import { bodyProblemOpenAI } from './openai-body-problem.js'
import { obj, parseObject, retryAfterHeaders, str } from './shared.js'

/** OpenAI's error type for each status. */
const TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'invalid_request_error',
  404: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'requests',
  500: 'server_error',
  502: 'server_error',
  503: 'server_error',
  504: 'server_error',
}

const MESSAGES: Record<number, string> = {
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

const BAD_JSON =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"

const OVERLOADED = 'The engine is currently overloaded, please try again later.'

function errorType(status: number): string {
  return TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error')
}

/** OpenAI (and Azure OpenAI): `{ error: { message, type, param, code } }`, `x-ratelimit-*` headers. */
export const openaiFamily: Family = {
  id: 'openai',
  recognizes: (headers) => headers.authorization !== undefined,
  errorType,
  defaultMessage: (status) =>
    MESSAGES[status] ?? (status >= 500 ? 'The server had an error while processing your request.' : `Error ${status}`),
  error: (spec) => {
    const type = spec.type ?? errorType(spec.status)
    return {
      type,
      body: { error: { message: spec.message, type, param: spec.param ?? null, code: spec.code ?? null } },
      ...retryAfterHeaders(spec, 'openai'),
    }
  },
  bodyProblem: bodyProblemOpenAI,

  rateLimit: (f) => {
    const unit = f.kind === 'requests' ? 'requests per min (RPM)' : 'tokens per min (TPM)'
    const spec: ErrorSpec = {
      status: 429,
      type: f.kind,
      code: 'rate_limit_exceeded',
      message: `Rate limit reached for ${f.model ?? 'this model'} in organization org-brownout on ${unit}: Limit ${f.limit}, Used ${f.used}, Requested ${f.requested}. Please try again in ${goDuration(f.retryAfterMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
    }
    if (f.sendRetryAfter !== false) spec.retryAfterMs = f.retryAfterMs
    return spec
  },
  rateLimitHeaders: (kind, retryAfterMs) => ({
    [`x-ratelimit-remaining-${kind}`]: '0',
    [`x-ratelimit-reset-${kind}`]: goDuration(retryAfterMs),
  }),
  overloaded: (reason) => ({
    status: 503,
    type: 'server_error',
    message: reason === undefined ? OVERLOADED : `${OVERLOADED} (${reason})`,
  }),
  quota: (code) => ({
    status: 429,
    type: 'insufficient_quota',
    code,
    message:
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
  }),
  notFound: (method, path) => ({ status: 404, message: `Invalid URL (${method} ${path})` }),
  unknownModel: (model) => ({
    status: 404,
    code: 'model_not_found',
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
  }),
  tooLarge: (limitBytes) => ({
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message: `Request body too large: the limit is ${limitBytes} bytes.`,
  }),
  badJson: () => ({ status: 400, message: BAD_JSON }),

  headers: ({ providerRequestId, processingMs, limits: { requests, tokens } }) => ({
    'x-request-id': providerRequestId,
    'openai-organization': 'brownout',
    'openai-processing-ms': String(Math.round(processingMs)),
    'openai-version': '2020-10-01',
    'x-ratelimit-limit-requests': String(requests.limit),
    'x-ratelimit-limit-tokens': String(tokens.limit),
    'x-ratelimit-remaining-requests': String(requests.remaining),
    'x-ratelimit-remaining-tokens': String(tokens.remaining),
    'x-ratelimit-reset-requests': goDuration(requests.resetMs),
    'x-ratelimit-reset-tokens': goDuration(tokens.resetMs),
  }),
  listModels: (ids, createdSec) => ({
    object: 'list',
    data: ids.map((id) => ({
      id,
      object: 'model',
      created: createdSec,
      owned_by: id.startsWith('claude') ? 'anthropic' : 'system',
    })),
  }),

  streamError: (f) =>
    `data: ${JSON.stringify({
      error: {
        message: f.message ?? 'The server had an error while processing your request.',
        type: f.type ?? 'server_error',
        param: null,
        code: null,
      },
    })}\n\n`,
  malformedFrame: (kind) =>
    kind === 'bad-json' ? 'data: {"id":"chatcmpl-broken","choices":[{\n\n' : ': brownout keep-alive comment\n\n',

  errorShape: (raw) => {
    const error = obj(parseObject(raw)?.error)
    if (!error) return { wellFormed: false, type: null }
    return { wellFormed: typeof error.message === 'string', type: str(error.type) ?? str(error.code) ?? null }
  },
}
