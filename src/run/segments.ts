import { BrownoutError } from '../errors.js'
import { type Segment, segmentLabel } from '../load/segment.js'
import type { Scenario } from '../scenario/schema.js'

/**
 * Refuses to split a scenario that has no arrival schedule: a closed model's clients loop until the end, so which
 * request is which depends on timing, not on the plan. `flag` is the option that asked for the split.
 */
function refuseClosedModel(scenario: Scenario, flag: string, hint: string, file: string): void {
  if (scenario.load.concurrency === undefined) return
  throw new BrownoutError(
    'INVALID_USAGE',
    `${file}: ${flag} splits an open-model arrival schedule, and this scenario's load is a closed model (load.concurrency: ${scenario.load.concurrency})`,
    { hint },
  )
}

/** Refuses a segment of a scenario that has no arrival schedule to split. */
export function checkSegmentable(scenario: Scenario, segment: Segment, file: string): void {
  refuseClosedModel(
    scenario,
    `--segment ${segmentLabel(segment)}`,
    'give the load a rate (load.rate or load.stages) to split it into segments',
    file,
  )
}

/**
 * What in a scenario counts across requests at an upstream: when each segment runs its own upstreams, each counts
 * only its own share (an `every: 10` rule fires on every 10th request of the segment, a 600 rpm bucket admits 600
 * per segment). Per-request rules (attempt, during, probability, path, model, stream, header) are exact.
 */
export function sharedUpstreamState(scenario: Scenario, elsewhere: ReadonlySet<string> = new Set()): string[] {
  const found: string[] = []
  for (const [name, u] of Object.entries(scenario.upstreams)) {
    // Served elsewhere (--upstream-url): every segment sends to the same upstream, which counts for the whole run.
    if (elsewhere.has(name)) continue
    u.faults.forEach((rule, i) => {
      if (rule.when.every !== undefined) found.push(`upstreams.${name}.faults[${i}].when.every`)
    })
    if (u.limits.rpm !== undefined) found.push(`upstreams.${name}.limits.rpm`)
    if (u.limits.tpm !== undefined) found.push(`upstreams.${name}.limits.tpm`)
    if (u.capacity !== undefined) found.push(`upstreams.${name}.capacity`)
  }
  return found
}

/** The warning for a segmented run of a scenario with shared upstream state, or undefined. */
export function sharedStateWarning(scenario: Scenario, elsewhere?: ReadonlySet<string>): string | undefined {
  const shared = sharedUpstreamState(scenario, elsewhere)
  if (shared.length === 0) return undefined
  return (
    `each segment runs its own upstreams, and ${shared.join(', ')} count${shared.length === 1 ? 's' : ''} across ` +
    'requests: every segment counts only its own share, so the merged run is not the single-process run for these'
  )
}

/** Refuses `--workers` where there is no schedule to split or no HTTP to send: a closed model, client mode. */
export function checkWorkers(scenario: Scenario, workers: number, clientMode: boolean, file: string): void {
  if (workers <= 1) return
  refuseClosedModel(
    scenario,
    `--workers ${workers}`,
    'give the load a rate (load.rate or load.stages), or drop --workers',
    file,
  )
  if (clientMode)
    throw new BrownoutError('INVALID_USAGE', `${file}: --workers does not apply to a client-mode profile`, {
      hint: 'a client-mode profile runs one process per request already: raise its max_processes instead',
    })
}
