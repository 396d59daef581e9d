import type { SdkAdapter } from './adapter.js'
import { openaiClient, openaiErrorClass } from './openai-errors.js'

export const openaiEmbeddingsSdk: SdkAdapter = {
  model: 'text-embedding-3-small',
  async call({ baseURL, headers, prompt }) {
    const done = await openaiClient(baseURL, headers).embeddings.create({ model: this.model, input: prompt })
    if (!Array.isArray(done.data[0]?.embedding)) throw new Error('no embedding in the answer')
    return null
  },
  errorClassFor: openaiErrorClass,
}
