import { describe, expect, it } from 'vitest'
import type { Scenario } from '../../src/scenario/schema.js'
import { expectPasses, failures, runThroughGateway, verdictOf } from './matrix.js'

/** The resilient profile's knobs (examples/gateways/resilient.sut.yaml) beyond the matrix's own. */
const RESILIENT = { RETRIES: '2', RETRY_BUDGET: '1' }

const CANCEL_SCENARIOS = ['cancel-during-ttft', 'cancel-mid-stream', 'cancel-non-streaming', 'cancel-during-retry-wait']

const CANCEL_CHECKS = ['passthrough.cancellation', 'passthrough.cancel_never_closed', 'passthrough.zombie_retries']

describe.concurrent('validity matrix: the resilient gateway cancels when its client leaves', () => {
  it.each(CANCEL_SCENARIOS)(
    '%s',
    async (name) => {
      const result = await runThroughGateway(name, RESILIENT)
      expectPasses(result)
      // No attempt is in flight while a client waits out a Retry-After: there only zombie retries can be judged.
      const judged = name === 'cancel-during-retry-wait' ? ['passthrough.zombie_retries'] : CANCEL_CHECKS
      for (const check of judged) expect(verdictOf(result, check), check).toBe('pass')
    },
    30_000,
  )
})

/** cancel-during-ttft with an upstream that would take 30 s to answer, and every client leaving after 300 ms. */
const neverEnding = (s: Scenario): Scenario => {
  const primary = s.upstreams.primary
  if (!primary) throw new Error('cancel-during-ttft has no primary upstream')
  return {
    ...s,
    upstreams: { primary: { ...primary, latency: { ...primary.latency, ttft: { dist: 'fixed', value: 30_000 } } } },
    load: { ...s.load, cancel: { share: 1, after: 300 } },
  }
}

/** Each gateway that does not cancel, the scenario that exposes it, and the check meant to catch it. */
const DEFECTS: Array<[string, string, string, Record<string, string>, ((s: Scenario) => Scenario)?]> = [
  [
    'never cancels: the attempt runs to its end',
    'cancel-during-ttft',
    'passthrough.cancellation',
    { DEFECTS: 'keep-hung' },
  ],
  ['cancels 3 s after the client left', 'cancel-mid-stream', 'passthrough.cancellation', { DEFECTS: 'cancel-late' }],
  [
    'never cancels a non-streaming request',
    'cancel-non-streaming',
    'passthrough.cancellation',
    { DEFECTS: 'keep-hung' },
  ],
  [
    'cancels the attempt in flight but retries for a client that left',
    'cancel-during-retry-wait',
    'passthrough.zombie_retries',
    { DEFECTS: 'zombie-retries' },
  ],
  [
    'never cancels an attempt that never ends',
    'cancel-during-ttft',
    'passthrough.cancel_never_closed',
    { DEFECTS: 'keep-hung', TRY_TIMEOUT_MS: '0', DEADLINE_MS: '0' },
    neverEnding,
  ],
]

describe.concurrent('validity matrix: each way of not cancelling is caught by the check meant for it', () => {
  it.each(DEFECTS)(
    '%s (%s) → %s',
    async (_defect, scenario, check, env, edit) => {
      const result = await runThroughGateway(scenario, { ...RESILIENT, ...env }, edit ? { edit } : {})
      expect(verdictOf(result, check), failures(result)).toBe('fail')
      expect(result.passed).toBe(false)
    },
    30_000,
  )
})
