import { z } from 'zod'
import type { Clock } from '../clock.js'

/**
 * Rate limits per upstream, per minute, as providers state them. When omitted the upstream still sends rate-limit
 * headers with live values against generous nominal limits, but never refuses a request for them.
 */
export const limitsSchema = z.strictObject({
  rpm: z.number().int().positive().optional().describe('requests per minute'),
  tpm: z.number().int().positive().optional().describe('tokens per minute (prompt estimate + max_tokens)'),
})

export type LimitsConfig = z.output<typeof limitsSchema>

export const NOMINAL_RPM = 10_000
export const NOMINAL_TPM = 2_000_000

/** A continuously refilling token bucket: `limit` per minute, full at start. */
export class TokenBucket {
  private level: number
  private updatedAt: number

  constructor(
    readonly limit: number,
    private readonly clock: Clock,
  ) {
    this.level = limit
    this.updatedAt = clock.now()
  }

  private refill(): void {
    const now = this.clock.now()
    this.level = Math.min(this.limit, this.level + ((now - this.updatedAt) * this.limit) / 60_000)
    this.updatedAt = now
  }

  /** What is left now (whole units). */
  remaining(): number {
    this.refill()
    return Math.max(0, Math.floor(this.level))
  }

  /** Ms until `amount` is available (0 if it is now). */
  waitMs(amount: number): number {
    this.refill()
    if (this.level >= amount) return 0
    return Math.ceil(((amount - this.level) * 60_000) / this.limit)
  }

  /** Ms until the bucket is full again. */
  resetMs(): number {
    this.refill()
    return Math.ceil(((this.limit - this.level) * 60_000) / this.limit)
  }

  /** Takes `amount`; false (taking nothing) when not enough is left. */
  take(amount: number): boolean {
    this.refill()
    if (this.level < amount) return false
    this.level -= amount
    return true
  }

  /** Takes `amount` even if that leaves the bucket in debt (a request that was let through anyway). */
  force(amount: number): void {
    this.refill()
    this.level -= amount
  }

  reset(): void {
    this.level = this.limit
    this.updatedAt = this.clock.now()
  }
}

export interface LimitSnapshot {
  limit: number
  remaining: number
  resetMs: number
  enforced: boolean
}

export interface Admission {
  ok: boolean
  /** Which bucket refused: requests or tokens. */
  kind?: 'requests' | 'tokens'
  retryAfterMs?: number
}

/** The RPM and TPM buckets of one upstream. */
export class RateLimiter {
  readonly requests: TokenBucket
  readonly tokens: TokenBucket

  constructor(
    readonly config: LimitsConfig,
    clock: Clock,
  ) {
    this.requests = new TokenBucket(config.rpm ?? NOMINAL_RPM, clock)
    this.tokens = new TokenBucket(config.tpm ?? NOMINAL_TPM, clock)
  }

  /** Admits a request costing one request and `tokens` tokens, or says which limit refused and for how long. */
  admit(tokens: number): Admission {
    if (this.config.rpm !== undefined && this.requests.waitMs(1) > 0) {
      return { ok: false, kind: 'requests', retryAfterMs: this.requests.waitMs(1) }
    }
    if (this.config.tpm !== undefined && this.tokens.waitMs(tokens) > 0) {
      const wait = tokens > this.tokens.limit ? 60_000 : this.tokens.waitMs(tokens)
      return { ok: false, kind: 'tokens', retryAfterMs: wait }
    }
    this.requests.force(1)
    this.tokens.force(tokens)
    return { ok: true }
  }

  snapshot(): { requests: LimitSnapshot; tokens: LimitSnapshot } {
    const snap = (b: TokenBucket, enforced: boolean): LimitSnapshot => ({
      limit: b.limit,
      remaining: b.remaining(),
      resetMs: b.resetMs(),
      enforced,
    })
    return {
      requests: snap(this.requests, this.config.rpm !== undefined),
      tokens: snap(this.tokens, this.config.tpm !== undefined),
    }
  }

  reset(): void {
    this.requests.reset()
    this.tokens.reset()
  }
}
