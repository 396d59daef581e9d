import { describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import { runAndGrade } from '../../src/pipeline/pipeline.js'
import { scaleScenario } from '../../src/scenario/load.js'
import { loadSutProfile } from '../../src/sut/profile.js'

const file = (path: string) => new URL(`../../${path}`, import.meta.url).pathname

async function runClient(scenarioName: string, client: string) {
  // The client-mode examples' scenarios: 1 req/s, a rate one SDK process per request sustains on 2 cores.
  const scenario = scaleScenario(loadScenario(file(`examples/clients/scenarios/${scenarioName}.yaml`)), 0.2)
  const profileFile = file(`examples/clients/${client}.client.yaml`)
  const profile = loadSutProfile(profileFile, Object.keys(scenario.upstreams))
  const { data, result } = await runAndGrade({ scenario, sut: { mode: 'sut', profile, file: profileFile } })
  return { result: data, graded: result }
}

describe('client mode: an SDK as the system under test', () => {
  it('the OpenAI SDK retries a first-attempt 503, and the journal tells its retries apart', async () => {
    const { result, graded } = await runClient('transient-503', 'openai-sdk')
    expect(graded.harnessLimited).toBeNull()
    expect(graded.passed, JSON.stringify(graded.checks.filter((c) => c.failsRun))).toBe(true)
    const first = result.records[0]
    const attempts = result.journal.filter((e) => e.requestId === first?.id).sort((a, b) => a.attempt - b.attempt)
    expect(attempts.map((e) => [e.status, e.stainlessRetryCount])).toEqual([
      [503, 0],
      [200, 1],
    ])
  }, 60_000)

  it('the Anthropic SDK retries a 529', async () => {
    const { graded } = await runClient('anthropic-529', 'anthropic-sdk')
    expect(graded.passed, JSON.stringify(graded.checks.filter((c) => c.failsRun))).toBe(true)
  }, 60_000)

  it('the OpenAI SDK passes off a stream cut without [DONE] as complete: caught as truncated success', async () => {
    const { graded } = await runClient('stream-cut-clean', 'openai-sdk')
    const check = graded.checks.find((c) => c.key === 'client.truncated_success')
    expect(check?.verdict).toBe('fail')
    expect(graded.passed).toBe(false)
  }, 60_000)
})
