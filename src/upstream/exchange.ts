import type { IncomingHttpHeaders } from 'node:http'
import type { Clock } from '../clock.js'
import type { Family } from '../dialects/family.js'
import type { DialectWire } from '../dialects/wire.js'
import { type Rng, rngFor } from '../rng.js'
import type { UpstreamConfig } from './config.js'
import type { LimitsSnapshot, RateRefusal } from './shared-state.js'
import { sample } from './timing.js'

/** What every handler of one upstream shares. */
export interface UpstreamRuntime {
  name: string
  seed: number
  clock: Clock
  config: UpstreamConfig
}

/** One attempt, as a handler sees it. */
export interface Exchange {
  upstream: UpstreamRuntime
  /** Whose error shapes and headers the answer uses: the route's dialect's family, or the one the headers suggest. */
  family: Family
  /** The route's dialect (its stream frames), or the family's own where no dialect owns the path. */
  wire: DialectWire
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** Path parameters the matched route captured (`{ model: 'gemini-2.5-flash' }`); empty for literal routes. */
  params: Record<string, string>
  /** The query string's parameters (first value of each name). */
  query: Record<string, string>
  /** The parsed JSON body (undefined for bodiless requests). */
  body: unknown
  requestId: string
  attempt: number
  /** Arrival time, ms since the Unix epoch. */
  arrivalMs: number
  /** The request's model, when it names one (the dialect's `requestFacts`). */
  model: string | null
  /** Whether the request asked for a stream. */
  stream: boolean
  /** Whether the request ends on an assistant turn (a prefill; the dialect's `requestFacts`). */
  prefill: boolean
  /** Estimated tokens this request costs (prompt estimate + requested output), for TPM accounting. */
  tokenCost: number
  /** The RPM/TPM buckets' levels once this attempt was charged (the rate-limit headers say them). */
  limits: LimitsSnapshot
  /** The buckets' refusal of this attempt, when they refused it. */
  refused: RateRefusal | undefined
}

/** A deterministic RNG for one purpose of one attempt: (seed, request id, attempt, purpose). */
export function attemptRng(ex: Exchange, purpose: string): Rng {
  return rngFor(ex.upstream.seed, ex.requestId, ex.attempt, purpose)
}

/**
 * When each of `count` output units (tokens) is ready, ms after arrival: the first after a time-to-first-token
 * sample, each next one an inter-token-latency sample later.
 */
export function tokenTimes(ex: Exchange, count: number): number[] {
  const { ttft, itl } = ex.upstream.config.latency
  if (ttft.dist === 'fixed' && itl.dist === 'fixed') {
    const times = new Array<number>(count)
    for (let i = 0; i < count; i++) times[i] = ttft.value + i * itl.value
    return times
  }
  const rng = attemptRng(ex, 'timing')
  const times: number[] = []
  let t = sample(ttft, rng)
  for (let i = 0; i < count; i++) {
    if (i > 0) t += sample(itl, rng)
    times.push(t)
  }
  return times
}

export function sseData(json: unknown): string {
  return `data: ${JSON.stringify(json)}\n\n`
}

export function sseEvent(type: string, json: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(json)}\n\n`
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}
