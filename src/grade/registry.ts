import { BREAKER_SCOPE_CHECKS } from './breaker-scope.js'
import { CANCEL_CHECKS } from './cancel-checks.js'
import type { CheckDefinition } from './check.js'
import { CLIENT_CHECKS } from './client-checks.js'
import { FIRST_BYTE_CHECKS } from './first-byte.js'
import { LAYER_CHECKS } from './layer-checks.js'
import { PASSTHROUGH_CHECKS } from './passthrough-checks.js'
import { RETRY_CHECKS } from './retry-checks.js'
import { SYSTEM_CHECKS } from './system-checks.js'

/** Every check brownout knows. To add one: write it beside its family, then list the family here. */
export const CHECKS: readonly CheckDefinition[] = [
  ...CLIENT_CHECKS,
  ...RETRY_CHECKS,
  ...FIRST_BYTE_CHECKS,
  ...SYSTEM_CHECKS,
  ...BREAKER_SCOPE_CHECKS,
  ...LAYER_CHECKS,
  ...PASSTHROUGH_CHECKS,
  ...CANCEL_CHECKS,
]

const byName = new Map(CHECKS.map((c) => [c.name, c]))

export function checkDefinition(name: string): CheckDefinition | undefined {
  return byName.get(name)
}
