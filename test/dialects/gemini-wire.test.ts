import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ApiError, GoogleGenAI } from '@google/genai'
import { afterEach, describe, expect, it } from 'vitest'
import { readCandidate, readStreamError } from '../../src/dialects/families/gemini-read.js'
import { generateResponse, modelPath, parseModelPath, sseFrame } from '../../src/dialects/families/gemini-wire.js'
import {
  googleErrorBody,
  parseProtoDuration,
  protoDuration,
  quotaFailure,
  readGoogleError,
  retryDelayOf,
  retryInfo,
} from '../../src/dialects/families/google-errors.js'

// The wire forms alone, judged by the official SDK before any upstream serves them: a bare server plays bytes.
let server: Server | undefined
afterEach(async () => {
  server?.close()
  server?.closeAllConnections()
  server = undefined
})

async function serveOnce(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<GoogleGenAI> {
  server = createServer(answer)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return new GoogleGenAI({ apiKey: 'brownout', httpOptions: { baseUrl: `http://127.0.0.1:${port}` } })
}

const meta = { model: 'gemini-2.0-flash', responseId: 'r1' }

describe('Gemini wire forms', () => {
  it('writes retryDelay as a protobuf duration and reads it back', () => {
    expect(protoDuration(3000)).toBe('3s')
    expect(protoDuration(1300)).toBe('1.300s')
    expect(parseProtoDuration('45.837906927s')).toBeCloseTo(45837.906927, 5)
    expect(parseProtoDuration('3')).toBeUndefined()
    expect(retryDelayOf(googleErrorBody({ status: 429, message: 'x', details: [retryInfo(2500)] }))).toBe(2500)
  })

  it('names the model and method of a model path and builds the SDK paths', () => {
    expect(parseModelPath('/v1beta/models/gemini-2.0-flash:streamGenerateContent')).toEqual({
      model: 'gemini-2.0-flash',
      method: 'streamGenerateContent',
    })
    expect(parseModelPath('/v1beta/models')).toBeUndefined()
    expect(modelPath('models/gemini-2.5-pro', 'streamGenerateContent')).toBe(
      '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
    )
  })

  it('is a generateContent answer the SDK reads, text and finish reason and usage', async () => {
    const ai = await serveOnce((_req, res) => {
      const body = generateResponse('Hello there.', 'STOP', { promptTokens: 3, candidatesTokens: 2 }, meta)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
    const res = await ai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' })
    expect(res.text).toBe('Hello there.')
    expect(res.candidates?.[0]?.finishReason).toBe('STOP')
    expect(res.usageMetadata?.totalTokenCount).toBe(5)
    expect(res.responseId).toBe('r1')
    expect(readCandidate(body(res))).toEqual({ text: 'Hello there.', finish: 'STOP' })
  })

  it('is a stream the SDK reads chunk by chunk, and an in-band error chunk it raises as ApiError', async () => {
    const ai = await serveOnce((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(sseFrame(JSON.stringify(generateResponse('Hel', undefined, { promptTokens: 3 }, meta))))
      res.end(sseFrame(JSON.stringify(googleErrorBody({ status: 503, message: 'overloaded' }))))
    })
    const texts: string[] = []
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.0-flash', contents: 'hi' })
    const err = await (async () => {
      for await (const chunk of stream) texts.push(chunk.text ?? '')
    })().catch((e: unknown) => e)
    expect(texts).toEqual(['Hel'])
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(503)
    expect(readStreamError(googleErrorBody({ status: 503, message: 'x' }))).toBe('UNAVAILABLE')
  })

  it('is an error body the SDK raises with its status, and brownout reads as well formed', async () => {
    const error = googleErrorBody({
      status: 429,
      message: 'quota',
      details: [quotaFailure('GenerateRequestsPerDayPerProjectPerModel', 'generate_content_requests', 'm')],
    })
    const ai = await serveOnce((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(error))
    })
    const err = await ai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' }).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(429)
    expect(JSON.parse((err as ApiError).message)).toEqual(error)
    expect(readGoogleError(JSON.stringify(error))).toEqual({ wellFormed: true, type: 'RESOURCE_EXHAUSTED' })
  })
})

/** The SDK's response as plain JSON (what a client that is not the SDK reads). */
function body(res: unknown): unknown {
  return JSON.parse(JSON.stringify(res))
}
