import type { FaultScene } from '../faults/fault.js'
import type { Exchange } from './exchange.js'
import { errorPlan } from './replies.js'

/** What the faults applied to one attempt may see: the attempt's facts, not the upstream. */
export function faultScene(ex: Exchange): FaultScene {
  return {
    dialect: ex.wire,
    family: ex.family,
    model: ex.model,
    stream: ex.stream,
    nowMs: ex.upstream.clock.now(),
    limits: ex.limits,
    error: (spec, atMs = 0) => errorPlan(ex, spec, atMs),
  }
}
