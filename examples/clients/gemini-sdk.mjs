// A client-mode SUT: the official Google Gen AI SDK (@google/genai), run once per logical request.
// The SDK does not retry unless told to: this example turns on its documented retryOptions (GEMINI_ATTEMPTS
// attempts in all, default 3; exponential backoff from 1 s with jitter, on 408/429/500/502/503/504). It does not
// read Google's RetryInfo retryDelay: that is what a Gemini 429 scenario shows.
// brownout passes the request in BROWNOUT_* variables; the answer goes to stdout, failure is a non-zero exit.
import { GoogleGenAI } from '@google/genai'

const env = process.env
const attempts = Number(env.GEMINI_ATTEMPTS ?? 3)
const ai = new GoogleGenAI({
  apiKey: 'brownout-fake-key',
  httpOptions: {
    baseUrl: env.BROWNOUT_BASE_URL,
    headers: { ...JSON.parse(env.BROWNOUT_HEADERS || '{}'), 'x-brownout-request-id': env.BROWNOUT_REQUEST_ID },
    ...(attempts > 1 ? { retryOptions: { attempts } } : {}),
  },
})
const params = {
  model: env.BROWNOUT_MODEL,
  contents: env.BROWNOUT_PROMPT,
  config: { maxOutputTokens: Number(env.BROWNOUT_MAX_TOKENS) },
}
try {
  if (env.BROWNOUT_API === 'gemini.embed') {
    const res = await ai.models.embedContent({ model: env.BROWNOUT_MODEL, contents: env.BROWNOUT_PROMPT })
    if (!res.embeddings?.[0]?.values?.length) throw new Error('no embedding in the answer')
  } else if (env.BROWNOUT_STREAM === '1') {
    for await (const chunk of await ai.models.generateContentStream(params)) process.stdout.write(chunk.text ?? '')
  } else {
    const res = await ai.models.generateContent(params)
    process.stdout.write(res.text ?? '')
  }
} catch (err) {
  console.error(`${err.constructor.name}: ${err.status ?? ''} ${err.message}`)
  process.exit(1)
}
