import type { SseEvent } from '../load/sse.js'
import type { EventMeaning } from './dialect.js'
import { obj, parseObject, str } from './families/shared.js'
import { answerFacts } from './passthrough.js'

export { obj, str }

/**
 * A dialect's `interpretEvent`: parses the event's JSON (an event line with empty data means nothing; other
 * unparseable data is 'unparseable'), reads an in-band error the way every family sends one (`event: error`,
 * `type: 'error'`, or an `error` field), and hands any other event to `read`.
 */
export function eventReader(read: (data: Record<string, unknown>) => EventMeaning) {
  return (ev: SseEvent): EventMeaning | 'unparseable' => {
    const data = parseObject(ev.data)
    if (!data) return ev.event !== null && ev.data === '' ? {} : 'unparseable'
    if (ev.event === 'error' || data.type === 'error' || data.error) {
      const e = obj(data.error)
      return { error: str(e?.type) ?? str(e?.message) ?? 'error' }
    }
    return withFacts(read(data), data)
  }
}

/** Adds the usage and model an event's data reports, when it reports any. */
export function withFacts(meaning: EventMeaning, data: unknown): EventMeaning {
  const facts = answerFacts(data)
  return facts.usage || facts.model !== undefined ? { ...meaning, facts } : meaning
}
