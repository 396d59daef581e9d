import { describe, expect, it } from 'vitest'
import type { Scenario } from '../../src/scenario/schema.js'
import { expectPasses, failures, runThroughGateway, verdictOf } from './matrix.js'

/*
 * The pass-through checks on the reference gateway: each pass-through scenario passes on the resilient profile
 * and the defect or knob it is about is caught by its check.
 */

/** The fallback serves another model (it declares only gpt-4o); the gateway maps to it with UPSTREAM_MODELS. */
const fallbackModel = (s: Scenario): Scenario => ({
  ...s,
  upstreams: Object.fromEntries(
    Object.entries(s.upstreams).map(([name, u]) => [name, name === 'fallback' ? { ...u, models: ['gpt-4o'] } : u]),
  ),
  load: { ...s.load, mix: s.load.mix?.filter((m) => m.api === undefined) },
})
const TO_FALLBACK_MODEL = { UPSTREAM_MODELS: ',gpt-4o' }

describe('validity matrix: pass-through', () => {
  it.each([
    ['stream-buffering', 'passthrough.stream_buffering'],
    ['usage-model-preserved', 'passthrough.usage_preserved'],
    ['request-fidelity', 'passthrough.request_fidelity'],
    ['added-latency', 'passthrough.added_latency'],
    ['failover-model-usage', 'passthrough.model_preserved'],
  ])('the resilient gateway passes %s', async (scenario, check) => {
    const result = await runThroughGateway(scenario, { RETRY_BUDGET: '1' })
    expectPasses(result)
    expect(verdictOf(result, check)).toBe('pass')
  })

  it('bridging Anthropic streams to a chat upstream, hands on the usage the upstream reported', async () => {
    // The resilient profile bridges (BRIDGE): its message_delta must carry the chat stream's usage, not zeros.
    const result = await runThroughGateway('usage-model-preserved', {
      RETRY_BUDGET: '1',
      BRIDGE: 'messages-to-chat',
      UPSTREAM_KINDS: 'openai,openai',
    })
    expectPasses(result)
    expect(verdictOf(result, 'passthrough.usage_preserved'), failures(result)).toBe('pass')
  })

  it('names the fallback model after a fallback to another model', async () => {
    const result = await runThroughGateway('failover-model-usage', TO_FALLBACK_MODEL, { edit: fallbackModel })
    expectPasses(result)
    const check = result.checks.find((c) => c.key === 'passthrough.model_preserved')
    expect(check?.evidence).toMatch(/served by another model/)
  })

  it.each<[string, string, string, Record<string, string>, ((s: Scenario) => Scenario)?]>([
    ['buffers streams', 'stream-buffering', 'passthrough.stream_buffering', { DEFECTS: 'buffer-stream' }],
    ['drops usage', 'usage-model-preserved', 'passthrough.usage_preserved', { DEFECTS: 'drop-usage' }],
    [
      'renames the model after a fallback',
      'failover-model-usage',
      'passthrough.model_preserved',
      { ...TO_FALLBACK_MODEL, DEFECTS: 'rewrite-model' },
      fallbackModel,
    ],
    ['drops max_tokens', 'request-fidelity', 'passthrough.request_fidelity', { DEFECTS: 'drop-max-tokens' }],
    ['adds 150 ms to every request', 'added-latency', 'passthrough.added_latency', { ADDED_LATENCY_MS: '150' }],
  ])('a gateway that %s fails %s on %s', async (_what, scenario, check, env, edit) => {
    const result = await runThroughGateway(scenario, env, edit ? { edit } : {})
    expect(result.passed).toBe(false)
    expect(verdictOf(result, check), failures(result)).toBe('fail')
  })
})
