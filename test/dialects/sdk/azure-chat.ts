import { AzureOpenAI } from 'openai'
import type { SdkAdapter } from './adapter.js'
import { openaiErrorClass } from './openai-errors.js'

/** The openai SDK's AzureOpenAI client, bound to a deployment (the body's model may then be empty). */
export const azureChatSdk: SdkAdapter = {
  model: 'gpt-4o-mini',
  async call({ baseURL, stream, headers, prompt }) {
    const client = new AzureOpenAI({
      endpoint: baseURL,
      apiKey: 'brownout-azure-key',
      apiVersion: '2024-10-21',
      deployment: this.model,
      maxRetries: 0,
      defaultHeaders: headers,
    })
    const messages = [{ role: 'user' as const, content: prompt }]
    if (!stream) {
      const done = await client.chat.completions.create({ model: '', messages, max_tokens: 16 })
      return done.choices[0]?.message.content ?? ''
    }
    let text = ''
    const chunks = await client.chat.completions.create({ model: '', messages, max_tokens: 16, stream: true })
    for await (const chunk of chunks) text += chunk.choices[0]?.delta?.content ?? ''
    return text
  },
  errorClassFor: openaiErrorClass,
}
