import { z } from 'zod'
import type { Plan, Step } from '../upstream/plan.js'
import { BROKEN_STREAM, type FaultEffect, statusEffect, UNCHANGED } from './effect.js'
import { isStream } from './fault.js'

/** Where a connection fault strikes: before the status line, right after the headers, or after N body bytes. */
export const whereFields = {
  at: z
    .enum(['before-headers', 'after-headers', 'after-bytes'])
    .default('before-headers')
    .describe('before-headers, after-headers, or after-bytes'),
  bytes: z.number().int().nonnegative().default(0).describe('with at: after-bytes, how many body bytes go out first'),
}

type Ending = 'reset' | 'close' | 'hang'

/** Rewrites a plan so that the connection meets `ending` at the chosen point, keeping the timing of what is sent. */
export function strikeAt(plan: Plan, cfg: { at: string; bytes: number }, ending: Ending): Plan {
  const headersAt = plan.headersAtMs ?? 0
  if (cfg.at === 'before-headers') return { ...plan, headersAtMs: null, steps: [{ kind: ending, atMs: headersAt }] }
  if (cfg.at === 'after-headers') return { ...plan, steps: [{ kind: ending, atMs: headersAt }] }
  const steps: Step[] = []
  let left = cfg.bytes
  for (const step of plan.steps) {
    if (step.kind !== 'write') continue
    if (left <= 0) break
    const bytes = Buffer.from(step.data)
    if (bytes.length <= left) {
      steps.push(step)
      left -= bytes.length
    } else {
      steps.push({ kind: 'write', atMs: step.atMs, data: bytes.subarray(0, left) })
      left = 0
    }
  }
  const atMs = steps[steps.length - 1]?.atMs ?? headersAt
  return { ...plan, steps: [...steps, { kind: ending, atMs }] }
}

/**
 * The effect of a connection fault, read from the plan it produced: where it struck decides. Before the status line:
 * transient (no answer). After an error's headers: the status's. After a 2xx's headers: mid-stream, a stream keeping
 * the events sent before the cut; a JSON body delivered whole to its content-length first is still a good answer.
 */
export const strikeEffect = {
  summary: "transient before headers; after an error's headers, the status's; after a 2xx's, mid-stream (prefix)",
  of: (_config: unknown, plan: Plan): FaultEffect => {
    if (plan.headersAtMs === null) return { effect: 'transient', content: 'none' }
    const byStatus = statusEffect(plan.status)
    if (byStatus !== 'none') return { effect: byStatus, content: 'none' }
    const length = Number(plan.headers['content-length'] ?? Number.NaN)
    const written = plan.steps.reduce((n, s) => n + (s.kind === 'write' ? Buffer.byteLength(s.data) : 0), 0)
    if (written >= length) return UNCHANGED
    return isStream(plan) ? BROKEN_STREAM : { effect: 'mid-stream', content: 'none' }
  },
}
