import Anthropic from '@anthropic-ai/sdk'
import type { SdkAdapter } from './adapter.js'

/** The Anthropic SDK's class per status: it has its own for 413, 503 and 529 (OverloadedError). */
function anthropicErrorClass(status: number): abstract new (...args: never[]) => Error {
  const byStatus: Record<number, abstract new (...args: never[]) => Error> = {
    400: Anthropic.BadRequestError,
    401: Anthropic.AuthenticationError,
    403: Anthropic.PermissionDeniedError,
    404: Anthropic.NotFoundError,
    409: Anthropic.ConflictError,
    413: Anthropic.ContentTooLargeError,
    429: Anthropic.RateLimitError,
    503: Anthropic.ServiceUnavailableError,
    529: Anthropic.OverloadedError,
  }
  return byStatus[status] ?? (status >= 500 ? Anthropic.InternalServerError : Anthropic.APIError)
}

export const anthropicMessagesSdk: SdkAdapter = {
  model: 'claude-haiku-4-5',
  async call({ baseURL, stream, headers, prompt }) {
    const client = new Anthropic({ apiKey: 'sk-ant-brownout', baseURL, maxRetries: 0, defaultHeaders: headers })
    const messages = [{ role: 'user' as const, content: prompt }]
    if (!stream) {
      const done = await client.messages.create({ model: this.model, max_tokens: 16, messages })
      return done.content.map((b) => (b.type === 'text' ? b.text : '')).join('')
    }
    let text = ''
    const events = await client.messages.create({ model: this.model, max_tokens: 16, messages, stream: true })
    for await (const ev of events) {
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text
    }
    return text
  },
  errorClassFor: anthropicErrorClass,
}
