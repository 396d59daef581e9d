import { ApiError, GoogleGenAI } from '@google/genai'
import type { SdkAdapter } from './adapter.js'

/** The Google Gen AI SDK without retryOptions (it then makes one attempt): one class, ApiError, with `status`. */
function geminiClient(baseURL: string, headers: Record<string, string>): GoogleGenAI {
  return new GoogleGenAI({ apiKey: 'brownout', httpOptions: { baseUrl: baseURL, headers } })
}

export const geminiGenerateSdk: SdkAdapter = {
  model: 'gemini-2.5-flash',
  async call({ baseURL, stream, headers, prompt }) {
    const ai = geminiClient(baseURL, headers)
    const params = { model: this.model, contents: prompt, config: { maxOutputTokens: 16 } }
    if (!stream) return (await ai.models.generateContent(params)).text ?? ''
    let text = ''
    for await (const chunk of await ai.models.generateContentStream(params)) text += chunk.text ?? ''
    return text
  },
  errorClassFor: () => ApiError,
}

export const geminiEmbedSdk: SdkAdapter = {
  model: 'text-embedding-004',
  async call({ baseURL, headers, prompt }) {
    const done = await geminiClient(baseURL, headers).models.embedContent({ model: this.model, contents: prompt })
    if (!done.embeddings?.[0]?.values?.length) throw new Error('no embedding in the answer')
    return null
  },
  errorClassFor: () => ApiError,
}
