import type { ApiName } from '../scenario/schema.js'
import type { SseEvent } from './sse.js'

/** What one SSE event means for the record. */
export interface EventMeaning {
  text?: string
  finish?: string
  terminal?: boolean
  error?: string
}

function parse(data: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(data)
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

type Obj = Record<string, unknown> | undefined
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** Reads one stream event of an API: content, finish reason, terminal event, in-band error. */
export function interpretEvent(api: ApiName, ev: SseEvent): EventMeaning | 'unparseable' {
  if (api === 'openai.chat' && ev.data === '[DONE]') return { terminal: true }
  const data = parse(ev.data)
  if (!data) return ev.event !== null && ev.data === '' ? {} : 'unparseable'
  if (ev.event === 'error' || data.type === 'error' || data.error) {
    const e = obj(data.error)
    return { error: str(e?.type) ?? str(e?.message) ?? 'error' }
  }
  if (api === 'openai.chat') {
    const choice = obj((data.choices as unknown[] | undefined)?.[0])
    const meaning: EventMeaning = {}
    const content = str(obj(choice?.delta)?.content)
    if (content) meaning.text = content
    const finish = str(choice?.finish_reason)
    if (finish) meaning.finish = finish
    return meaning
  }
  if (api === 'anthropic.messages') {
    if (data.type === 'content_block_delta') {
      const text = str(obj(data.delta)?.text)
      return text ? { text } : {}
    }
    if (data.type === 'message_delta') {
      const finish = str(obj(data.delta)?.stop_reason)
      return finish ? { finish } : {}
    }
    if (data.type === 'message_stop') return { terminal: true }
    return {}
  }
  if (api === 'openai.responses') {
    if (data.type === 'response.output_text.delta') return { text: str(data.delta) ?? '' }
    if (data.type === 'response.completed') return { terminal: true, finish: 'completed' }
    if (data.type === 'response.incomplete') return { terminal: true, finish: 'incomplete' }
    if (data.type === 'response.failed') return { terminal: true, error: 'response.failed' }
    return {}
  }
  return {}
}

/** The text and finish reason of a non-streaming success body. */
export function interpretBody(api: ApiName, body: unknown): { text: string | null; finish: string | null } | undefined {
  const data = obj(body)
  if (!data) return undefined
  switch (api) {
    case 'openai.chat': {
      const choice = obj((data.choices as unknown[] | undefined)?.[0])
      if (!choice) return undefined
      return { text: str(obj(choice.message)?.content) ?? null, finish: str(choice.finish_reason) ?? null }
    }
    case 'anthropic.messages': {
      if (!Array.isArray(data.content)) return undefined
      const text = (data.content as unknown[]).map((b) => str(obj(b)?.text) ?? '').join('')
      return { text, finish: str(data.stop_reason) ?? null }
    }
    case 'openai.responses': {
      if (!Array.isArray(data.output)) return undefined
      const text = (data.output as unknown[])
        .flatMap((item) => (Array.isArray(obj(item)?.content) ? (obj(item)?.content as unknown[]) : []))
        .map((part) => str(obj(part)?.text) ?? '')
        .join('')
      return { text, finish: str(data.status) ?? null }
    }
    case 'openai.embeddings':
      return Array.isArray(data.data) ? { text: null, finish: 'stop' } : undefined
  }
}

/** Whether an error body is JSON in the API's own error shape. */
export function errorShape(api: ApiName, raw: string): { wellFormed: boolean; type: string | null } {
  const data = parse(raw)
  const error = obj(data?.error)
  if (!data || !error) return { wellFormed: false, type: null }
  const wellFormed =
    api === 'anthropic.messages'
      ? data.type === 'error' && typeof error.type === 'string'
      : typeof error.message === 'string'
  return { wellFormed, type: str(error.type) ?? str(error.code) ?? null }
}
