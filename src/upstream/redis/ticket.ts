import { type LimitsConfig, NOMINAL_RPM, NOMINAL_TPM } from '../limits.js'
import type { Arrival, LimitsSnapshot, RateRefusal, Ticket } from '../shared-state.js'

/** The arrive script's arguments after the request id (see ARRIVE_LUA). */
export function arriveArgs(arrival: Arrival, limits: LimitsConfig, ttlMs: number): Array<string | number> {
  return [
    arrival.requestId ?? '',
    arrival.generates ? 1 : 0,
    arrival.tokenCost,
    limits.rpm ?? NOMINAL_RPM,
    limits.rpm === undefined ? 0 : 1,
    limits.tpm ?? NOMINAL_TPM,
    limits.tpm === undefined ? 0 : 1,
    ttlMs,
  ]
}

/** The buckets' levels from a script's reply: rpm remaining, rpm resetMs, tpm remaining, tpm resetMs. */
export function limitsFromReply(
  [rr = 0, rreset = 0, tr = 0, treset = 0]: number[],
  limits: LimitsConfig,
): LimitsSnapshot {
  const { rpm, tpm } = limits
  return {
    requests: { limit: rpm ?? NOMINAL_RPM, remaining: rr, resetMs: rreset, enforced: rpm !== undefined },
    tokens: { limit: tpm ?? NOMINAL_TPM, remaining: tr, resetMs: treset, enforced: tpm !== undefined },
  }
}

/** The ticket from the arrive script's reply (see ARRIVE_LUA); an attempt without an id gets `anon-<upstream>-<n>`. */
export function ticketFromReply(
  reply: Array<number | string>,
  arrival: Arrival,
  upstream: string,
  limits: LimitsConfig,
): Ticket {
  const [seq, attempt, upstreamAttempt, anon, kind, retryAfterMs] = reply
  const snapshot = limitsFromReply(reply.slice(6).map(Number), limits)
  let refused: RateRefusal | undefined
  if (kind === 'requests' || kind === 'tokens') {
    const bucket = snapshot[kind]
    refused = { kind, limit: bucket.limit, used: bucket.limit - bucket.remaining, retryAfterMs: Number(retryAfterMs) }
  }
  return {
    seq: Number(seq),
    requestId: arrival.requestId ?? `anon-${upstream}-${anon}`,
    attempt: Number(attempt),
    upstreamAttempt: Number(upstreamAttempt),
    refused,
    limits: snapshot,
  }
}
