import { z } from 'zod'
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

/** One fault: `{ type: <fault type>, ...its parameters }`. */
export const faultSchema = z.discriminatedUnion(
  'type',
  FAULTS.map((f) => f.schema) as unknown as [z.ZodObject, ...z.ZodObject[]],
)

/** A parsed fault: its type and its parameters (defaults applied). */
export type FaultConfig = { type: string } & Record<string, unknown>
