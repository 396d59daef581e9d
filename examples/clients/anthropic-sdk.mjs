// A client-mode SUT: the official Anthropic SDK with its default retries (2), run once per logical request.
import Anthropic from '@anthropic-ai/sdk'

const env = process.env
const client = new Anthropic({ apiKey: 'sk-ant-fake', baseURL: env.BROWNOUT_BASE_URL, defaultHeaders: { ...JSON.parse(env.BROWNOUT_HEADERS || '{}'), 'x-brownout-request-id': env.BROWNOUT_REQUEST_ID } })
const params = { model: env.BROWNOUT_MODEL, max_tokens: Number(env.BROWNOUT_MAX_TOKENS), messages: [{ role: 'user', content: env.BROWNOUT_PROMPT }] }
try {
  if (env.BROWNOUT_STREAM === '1') {
    const stream = client.messages.stream(params)
    stream.on('text', (text) => process.stdout.write(text))
    await stream.finalMessage()
  } else {
    const msg = await client.messages.create(params)
    process.stdout.write(msg.content.map((b) => (b.type === 'text' ? b.text : '')).join(''))
  }
} catch (err) {
  console.error(`${err.constructor.name}: ${err.status ?? ''} ${err.message}`)
  process.exit(1)
}
