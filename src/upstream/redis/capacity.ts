import type { Clock } from '../../clock.js'
import type { Admission, CapacityConfig } from '../capacity.js'
import type { CapacityGate } from '../shared-state.js'
import type { RedisScript } from './connect.js'

/** Longest a queued attempt waits for a release message before it looks again (a message lost, a replica gone). */
const POLL_MS = 50

export interface RedisCapacityScripts {
  enter: RedisScript
  promote: RedisScript
  leave: RedisScript
}

/**
 * The overload model's slots and queue held in Redis: `max_concurrency` and `queue` are totals across every
 * replica (each change is one atomic script). A queued attempt is woken by a release on any replica (pub/sub) or
 * looks again every 50 ms; its timeout and its client leaving take it out of the queue. The order in which queued
 * attempts get slots is first come, first served only roughly: the first to look after a release wins.
 */
export class RedisCapacity implements CapacityGate {
  active = 0
  queued = 0
  private readonly wakers = new Set<() => void>()

  constructor(
    private readonly config: CapacityConfig,
    private readonly key: string,
    private readonly channel: string,
    private readonly ttlMs: number,
    private readonly scripts: RedisCapacityScripts,
    private readonly clock: Clock,
  ) {}

  /** A slot was released somewhere: every attempt queued here looks again. */
  released(): void {
    for (const wake of [...this.wakers]) wake()
  }

  private note(reply: unknown, from: number): number {
    const values = (reply as number[]).map(Number)
    this.active = values[from] ?? this.active
    this.queued = values[from + 1] ?? this.queued
    return values[0] ?? 0
  }

  /** Latency multiplier for an attempt that just took a slot, from the slots busy across every replica. */
  private factor(): number {
    const room = this.config.max_concurrency - 1
    return room <= 0 ? 1 : 1 + this.config.inflation * Math.min(1, (this.active - 1) / room)
  }

  async acquire(signal?: AbortSignal): Promise<Admission> {
    const { max_concurrency, queue } = this.config
    const verdict = this.note(await this.scripts.enter([this.key], [max_concurrency, queue, this.ttlMs]), 1)
    if (verdict === 1) return { ok: true, queuedMs: 0, factor: this.factor() }
    if (verdict < 0) return { ok: false, reason: 'queue-full' }
    const enqueuedAt = this.clock.now()
    const deadline = enqueuedAt + this.config.queue_timeout
    for (;;) {
      // A client that left, or a wait past queue_timeout, leaves the queue before it could take a slot.
      const left = signal?.aborted ? 'client-left' : this.clock.now() >= deadline ? 'queue-timeout' : undefined
      if (left) {
        this.note([0, ...((await this.scripts.leave([this.key], ['queued', this.channel, this.ttlMs])) as number[])], 1)
        return { ok: false, reason: left }
      }
      const promoted = await this.scripts.promote([this.key], [max_concurrency, this.ttlMs])
      if (this.note(promoted, 1) === 1)
        return { ok: true, queuedMs: this.clock.now() - enqueuedAt, factor: this.factor() }
      await this.wait(Math.min(POLL_MS, deadline - this.clock.now()), signal)
    }
  }

  /** Resolves on a release, after `ms`, or when the client leaves, whichever is first. */
  private wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wakers.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, ms))
      this.wakers.add(done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  release(): void {
    this.scripts
      .leave([this.key], ['active', this.channel, this.ttlMs])
      .then((reply) => this.note([0, ...(reply as number[])], 1))
      .catch(() => {
        // Redis gone: the slot comes back with the key's TTL (or a reset of the run's keys).
      })
  }
}
