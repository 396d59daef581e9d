import OpenAI from 'openai'

/** The openai SDK's class per status (`makeAPIError`): anything 5xx is InternalServerError. */
export function openaiErrorClass(status: number): abstract new (...args: never[]) => Error {
  const byStatus: Record<number, abstract new (...args: never[]) => Error> = {
    400: OpenAI.BadRequestError,
    401: OpenAI.AuthenticationError,
    403: OpenAI.PermissionDeniedError,
    404: OpenAI.NotFoundError,
    409: OpenAI.ConflictError,
    422: OpenAI.UnprocessableEntityError,
    429: OpenAI.RateLimitError,
  }
  return byStatus[status] ?? (status >= 500 ? OpenAI.InternalServerError : OpenAI.APIError)
}

export function openaiClient(baseURL: string, headers: Record<string, string>): OpenAI {
  return new OpenAI({ apiKey: 'sk-brownout', baseURL, maxRetries: 0, defaultHeaders: headers })
}
