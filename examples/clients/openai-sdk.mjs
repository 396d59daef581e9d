// A client-mode SUT: the official OpenAI SDK with its default retries (2), run once per logical request.
// brownout passes the request in BROWNOUT_* variables; the answer goes to stdout, failure is a non-zero exit.
import OpenAI from 'openai'

const env = process.env
const client = new OpenAI({ apiKey: 'sk-fake', baseURL: env.BROWNOUT_BASE_URL, defaultHeaders: { ...JSON.parse(env.BROWNOUT_HEADERS || '{}'), 'x-brownout-request-id': env.BROWNOUT_REQUEST_ID } })
const params = { model: env.BROWNOUT_MODEL, max_tokens: Number(env.BROWNOUT_MAX_TOKENS), messages: [{ role: 'user', content: env.BROWNOUT_PROMPT }] }
try {
  if (env.BROWNOUT_STREAM === '1') {
    const stream = await client.chat.completions.create({ ...params, stream: true })
    for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '')
  } else {
    const res = await client.chat.completions.create(params)
    process.stdout.write(res.choices[0]?.message.content ?? '')
  }
} catch (err) {
  console.error(`${err.constructor.name}: ${err.status ?? ''} ${err.message}`)
  process.exit(1)
}
