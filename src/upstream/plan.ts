/**
 * A response is planned first, as plain data, then played onto the socket. Faults rewrite plans; only the player
 * touches the wire. Times are milliseconds after the request arrived.
 */
export type Step =
  /** Write body bytes (after headers). */
  | { kind: 'write'; atMs: number; data: string | Buffer; usage?: KnownUsage }
  /** Write raw bytes to the socket, bypassing HTTP (only before headers: the response is not HTTP at all). */
  | { kind: 'raw'; atMs: number; data: string | Buffer }
  /** Finish the response properly. */
  | { kind: 'end'; atMs: number }
  /** Close the connection with a TCP RST. */
  | { kind: 'reset'; atMs: number }
  /** Close the connection with a FIN, leaving whatever was sent so far (an empty reply, or a cut body). */
  | { kind: 'close'; atMs: number }
  /** Do nothing more: keep the socket open until the client leaves. */
  | { kind: 'hang'; atMs: number }

/**
 * The usage a write's data reports, as its producer built it (`usageInWrites` would read the same from `data`):
 * the journal takes it instead of parsing the body again. It holds the data it describes, so a fault that
 * rewrites the data (and keeps the field) is read the slow way.
 */
export interface KnownUsage {
  data: string
  input: number | null
  output: number | null
}

export interface Plan {
  status: number
  headers: Record<string, string>
  /** When to send the status line and headers; null means never (reset, close, hang or garbage before headers). */
  headersAtMs: number | null
  steps: Step[]
  /** For the journal: the provider error type this plan answers with, if it is an error. */
  errorType?: string
  /** For the journal: the Retry-After this plan sends, in milliseconds. */
  retryAfterMs?: number
}

/** What happened when a plan was played. */
export interface PlayResult {
  /** Body bytes written (raw bytes count too). */
  bytes: number
  /** When the first byte (headers or raw) went out, ms after arrival; null if nothing was sent. */
  firstByteMs: number | null
  /** How the exchange ended. */
  endedBy: 'end' | 'reset' | 'close' | 'hang' | 'client'
  /** The client went away before the plan had played out. */
  clientDisconnected: boolean
  /**
   * When the exchange ended (clock ms): when brownout ended it (last byte handed to the kernel, RST, FIN), or the
   * first sign that the client left (its FIN or RST read), not when Node later reports the response closed: on a
   * busy machine that report comes loop turns later, after a retry the client sent at once has already arrived.
   */
  endedAt?: number
  /**
   * Once the status line and headers went out: the status, and the provider error type and Retry-After they carried
   * (what an attempt still open has said, without holding its plan).
   */
  sent?: { status: number; errorType: string | null; retryAfterMs: number | null }
  /** Body writes played so far (not raw bytes). */
  writes?: number
  /** When the first and the last body write went out, ms after arrival. */
  firstWriteMs?: number
  lastWriteMs?: number
}

/** Shifts every step of a plan by `ms` (a delay before headers). */
export function delayPlan(plan: Plan, ms: number): Plan {
  if (ms === 0) return plan
  return {
    ...plan,
    headersAtMs: plan.headersAtMs === null ? null : plan.headersAtMs + ms,
    steps: plan.steps.map((s) => ({ ...s, atMs: s.atMs + ms })),
  }
}

/** Stretches every time of a plan by `factor` (latency inflation under load). */
export function scalePlan(plan: Plan, factor: number): Plan {
  if (factor === 1) return plan
  return {
    ...plan,
    headersAtMs: plan.headersAtMs === null ? null : plan.headersAtMs * factor,
    steps: plan.steps.map((s) => ({ ...s, atMs: s.atMs * factor })),
  }
}
