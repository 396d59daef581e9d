import type { SdkAdapter } from './adapter.js'
import { openaiClient, openaiErrorClass } from './openai-errors.js'

export const openaiResponsesSdk: SdkAdapter = {
  model: 'gpt-4o-mini',
  async call({ baseURL, stream, headers, prompt }) {
    const client = openaiClient(baseURL, headers)
    if (!stream) {
      const done = await client.responses.create({ model: this.model, input: prompt, max_output_tokens: 16 })
      return done.output_text
    }
    let text = ''
    const events = await client.responses.create({
      model: this.model,
      input: prompt,
      max_output_tokens: 16,
      stream: true,
    })
    for await (const ev of events) if (ev.type === 'response.output_text.delta') text += ev.delta
    return text
  },
  errorClassFor: openaiErrorClass,
}
