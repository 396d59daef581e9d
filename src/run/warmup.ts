import { setMaxListeners } from 'node:events'
import type { Agent } from 'undici'
import type { Clock } from '../clock.js'
import { targetOf } from '../load/send.js'
import type { HarnessMeta } from '../record/harness.js'
import type { Scenario } from '../scenario/schema.js'

/**
 * What the warm-up needs to know of the SUT: a profile's ready path, or none (a target or direct). A structural
 * subset of run.ts's SutMode, so this file does not import the runner that calls it.
 */
type WarmTarget = { mode: 'target' | 'direct' } | { mode: 'sut'; profile: { kind: string; ready: { path: string } } }

/** Runs at or above this peak rate (req/s) warm up first; the catalogue's 5–40 req/s never do. */
export const WARMUP_MIN_RATE = 100

const ROUNDS = 3
const MAX_WARMUP_MS = 2_000

/** The highest arrival rate (or closed-model concurrency) a scenario asks for. */
export function peakRate(scenario: Scenario): number {
  return Math.max(
    scenario.load.rate ?? 0,
    scenario.load.concurrency ?? 0,
    ...(scenario.load.stages ?? []).map((s) => s.rate),
    ...scenario.phases.map((p) => p.rate ?? 0),
  )
}

/**
 * Before a high-rate run's measured phase: opens the load's connections and warms the request path on both sides
 * (the driver's HTTP client, the servers' parsers, the JIT), so the first second is not brownout's cold start
 * charged to the SUT. Requests go to a path that no run records (the upstreams' `/_brownout/health`, or the SUT
 * profile's ready path): a few rounds of one request per connection the load may open (a tenth of the peak rate,
 * at most `max_connections`), at most 2 s. The upstreams are reset after it, so no attempt of it is journaled.
 */
export async function warmUp(
  scenario: Scenario,
  mode: WarmTarget,
  sutUrl: string,
  dispatcher: Agent,
  clock: Clock,
): Promise<HarnessMeta['warmup']> {
  const rate = peakRate(scenario)
  if (rate < WARMUP_MIN_RATE || (mode.mode === 'sut' && mode.profile.kind === 'client')) return null
  const path = mode.mode === 'sut' ? mode.profile.ready.path : '/_brownout/health'
  const url = `${sutUrl.replace(/\/$/, '')}${path}`
  const width = Math.max(1, Math.min(scenario.load.max_connections, Math.ceil(rate / 10)))
  const started = clock.now()
  const deadline = AbortSignal.timeout(MAX_WARMUP_MS)
  // One listener per request in flight on the one deadline (undici adds one): not a leak, so no warning.
  setMaxListeners(0, deadline)
  let requests = 0
  for (let round = 0; round < ROUNDS && !deadline.aborted; round++) {
    await Promise.all(
      Array.from({ length: width }, async () => {
        requests++
        try {
          const res = await dispatcher.request({ ...targetOf(url), method: 'GET', signal: deadline })
          await res.body.dump()
        } catch {
          // A warm-up that fails warms less; the run itself will say what the SUT does.
        }
      }),
    )
  }
  return { requests, durationMs: Math.round(clock.now() - started), url }
}
