import { withFacts } from '../client-shared.js'
import type { DialectClient } from '../dialect.js'
import { readCandidate, readStreamError } from '../families/gemini-read.js'
import { generateRequestBody, modelPath } from '../families/gemini-wire.js'

function parse(data: string): unknown {
  try {
    return JSON.parse(data)
  } catch {
    return undefined
  }
}

/**
 * brownout's load driver speaking Gemini as the SDK does: the model in the path, `x-goog-api-key`, a stream as
 * `:streamGenerateContent?alt=sse` whose chunk with a finishReason is the end.
 */
export const geminiGenerateClient: DialectClient = {
  defaultPath: (req) => modelPath(req.model, req.stream ? 'streamGenerateContent' : 'generateContent'),
  authHeaders: { 'x-goog-api-key': 'brownout-fake-key' },
  body: (req, content) => generateRequestBody(content, req.maxTokens),
  streams: true,
  hasExpectedText: true,
  // The SDK takes the origin and adds /v1beta itself (httpOptions.baseUrl).
  sdkBaseUrl: (origin) => origin,
  interpretEvent(ev) {
    const data = parse(ev.data)
    if (data === undefined || data === null || typeof data !== 'object') return 'unparseable'
    const error = readStreamError(data)
    if (error !== undefined) return { error }
    const candidate = readCandidate(data)
    if (!candidate) return withFacts({}, data)
    return withFacts(
      {
        ...(candidate.text !== '' ? { text: candidate.text } : {}),
        ...(candidate.finish !== undefined ? { finish: candidate.finish, terminal: true } : {}),
      },
      data,
    )
  },
  interpretBody(body) {
    const candidate = readCandidate(body)
    return candidate ? { text: candidate.text, finish: candidate.finish ?? null } : undefined
  },
}
