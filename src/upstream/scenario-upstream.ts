import { didYouMean } from '../config/problems.js'
import { BrownoutError } from '../errors.js'
import { phaseWindows } from '../scenario/load.js'
import type { Scenario } from '../scenario/schema.js'
import type { StartUpstreamOptions } from './server.js'

/**
 * One upstream of a scenario as `brownout serve --scenario FILE --upstream NAME` serves it: its block (latency,
 * limits, capacity, faults), its name (the journal's `upstream`, so a run that reads the journal with
 * `--upstream-url NAME=URL` files it under the right upstream), the scenario's seed and its phases (for
 * `during: <phase>` rules; their windows count from the serve's start). `name` may be left out when the scenario
 * has one upstream. An unknown name is a usage error that lists the names there are.
 */
export function scenarioUpstream(scenario: Scenario, name: string | undefined, file: string): StartUpstreamOptions {
  const names = Object.keys(scenario.upstreams)
  const chosen = name ?? (names.length === 1 ? names[0] : undefined)
  if (chosen === undefined) {
    throw new BrownoutError('INVALID_USAGE', `${file} has ${names.length} upstreams (${names.join(', ')}): name one`, {
      hint: names.map((n) => `--upstream ${n}`).join(' or '),
    })
  }
  const block = scenario.upstreams[chosen]
  if (block === undefined) {
    const guess = didYouMean(chosen, names)
    throw new BrownoutError('INVALID_USAGE', `--upstream ${chosen}: ${file} has no upstream "${chosen}"`, {
      hint: `${guess ? `did you mean ${guess}? ` : ''}its upstreams: ${names.join(', ')}`,
    })
  }
  return { ...block, name: chosen, seed: scenario.seed, phases: phaseWindows(scenario) }
}
