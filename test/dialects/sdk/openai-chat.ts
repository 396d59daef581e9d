import type { SdkAdapter } from './adapter.js'
import { openaiClient, openaiErrorClass } from './openai-errors.js'

export const openaiChatSdk: SdkAdapter = {
  model: 'gpt-4o-mini',
  async call({ baseURL, stream, headers, prompt }) {
    const client = openaiClient(baseURL, headers)
    const messages = [{ role: 'user' as const, content: prompt }]
    if (!stream) {
      const done = await client.chat.completions.create({ model: this.model, messages, max_tokens: 16 })
      return done.choices[0]?.message.content ?? ''
    }
    let text = ''
    const chunks = await client.chat.completions.create({ model: this.model, messages, max_tokens: 16, stream: true })
    for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? ''
    return text
  },
  errorClassFor: openaiErrorClass,
}
