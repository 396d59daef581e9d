import type { Effect } from './effect.js'

/**
 * The effect of a journal entry saved before entries carried one, read from its fault names as grading read them
 * then: a quota is fatal; a 200 struck by a stream fault, a reset, a close, a hang or a malformed body broke
 * mid-stream; anything else is judged by its status. Frozen on purpose: faults added since declare their effect
 * and their entries carry it, so this list never grows.
 */
export function legacyEffect(e: { faults: readonly string[]; status: number | null }): Effect {
  if (e.faults.includes('quota')) return 'fatal'
  const brokeTheBody = (f: string) =>
    f.startsWith('stream-') || f === 'reset' || f === 'close' || f === 'hang' || f === 'malformed'
  return e.status === 200 && e.faults.some(brokeTheBody) ? 'mid-stream' : 'none'
}
