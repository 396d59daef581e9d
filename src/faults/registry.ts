import { z } from 'zod'
import { BrownoutError } from '../errors.js'
import { close } from './close.js'
import { delay } from './delay.js'
import { error } from './error.js'
import type { FaultDefinition } from './fault.js'
import { garbage } from './garbage.js'
import { hang } from './hang.js'
import { malformed } from './malformed.js'
import { overloaded } from './overloaded.js'
import { quota } from './quota.js'
import { rateLimit } from './rate-limit.js'
import { reset } from './reset.js'
import { slow } from './slow.js'
import { streamCut } from './stream-cut.js'
import { streamError } from './stream-error.js'
import { streamMalformed } from './stream-malformed.js'
import { streamStall } from './stream-stall.js'

/** Every fault brownout knows. To add one: copy a neighbour, then list it here. */
export const FAULTS = [
  delay,
  error,
  rateLimit,
  quota,
  overloaded,
  reset,
  close,
  hang,
  garbage,
  malformed,
  streamCut,
  streamStall,
  streamError,
  streamMalformed,
  slow,
] as const

const byType = new Map<string, FaultDefinition>(FAULTS.map((f) => [f.type, f as unknown as FaultDefinition]))

export function faultDefinition(type: string): FaultDefinition | undefined {
  return byType.get(type)
}

/**
 * Adds a fault at run time (a test, or code that builds its rules itself): rules given in code (`FaultEngine`,
 * `upstream.faults.replace`) may then name it, and its declared effect is journaled and graded like any other.
 * Scenario files and the x-brownout-fault header validate against the built-in list above. Returns the function
 * that removes it again.
 */
export function registerFault<S extends z.ZodType>(def: FaultDefinition<S>): () => void {
  if (byType.has(def.type))
    throw new BrownoutError('INVALID_USAGE', `a fault named "${def.type}" is already registered`, {
      hint: 'give the new fault a type name of its own',
    })
  byType.set(def.type, def as unknown as FaultDefinition)
  return () => byType.delete(def.type)
}

/** One fault: `{ type: <fault type>, ...its parameters }`. */
export const faultSchema = z.discriminatedUnion(
  'type',
  FAULTS.map((f) => f.schema) as unknown as [z.ZodObject, ...z.ZodObject[]],
)

/** A parsed fault: its type and its parameters (defaults applied). */
export type FaultConfig = { type: string } & Record<string, unknown>
