import type { Family, MalformedKind, StreamErrorFacts } from './family.js'

/**
 * The part of a dialect that faults see: its family and its own stream frames. It imports nothing of the
 * upstream, so faults/ can depend on it without an import cycle (a `Dialect` is a `DialectWire`).
 */
export interface DialectWire {
  /** The API id (`openai.chat`), or null for a path no dialect owns (the family alone speaks there). */
  api: string | null
  family: Family
  /** This dialect's in-band stream error event (most dialects use their family's). */
  streamError(facts: StreamErrorFacts): string
  /** A malformed frame in this dialect's stream form. */
  malformedFrame(kind: MalformedKind): string
}

/** The wire of a path no dialect owns: the family's own frames. */
export function familyWire(family: Family): DialectWire {
  return {
    api: null,
    family,
    streamError: (facts) => family.streamError(facts),
    malformedFrame: (kind) => family.malformedFrame(kind),
  }
}
