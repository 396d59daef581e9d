import type { LocatedYaml } from '../config/load-yaml.js'
import type { Problem } from '../config/problems.js'
import { expectChecks } from '../grade/expect.js'
import { readScenarioFile } from '../scenario/load.js'
import type { Scenario } from '../scenario/schema.js'

/**
 * Loads a scenario file the way every command does: YAML, schema, cross checks and the `expect` block's checks
 * (known to the grader), plus `extraChecks`; every problem at once, as file:line:col (an INVALID_CONFIG error).
 */
export function loadScenario(file: string, extraChecks?: (s: Scenario, doc: LocatedYaml) => Problem[]): Scenario {
  return readScenarioFile(file, (scenario, doc) => [
    ...expectChecks(scenario, doc),
    ...(extraChecks?.(scenario, doc) ?? []),
  ])
}
