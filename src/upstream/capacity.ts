import { z } from 'zod'
import { durationSchema } from '../duration.js'

/**
 * The overload model of one upstream: at most `max_concurrency` requests served at once, up to `queue` more
 * waiting (each at most `queue_timeout`), the rest shed at once with the provider's overload error. Latency
 * inflates with load: times are multiplied by 1 + inflation × (other busy slots ÷ (max_concurrency − 1)).
 */
export const capacitySchema = z.strictObject({
  max_concurrency: z.number().int().positive().describe('requests served at once'),
  queue: z.number().int().nonnegative().default(0).describe('requests that may wait for a slot'),
  queue_timeout: durationSchema.default(30_000).describe('longest wait in the queue before being shed'),
  inflation: z
    .number()
    .nonnegative()
    .default(0)
    .describe('latency multiplier at full load, minus one (1 = twice as slow)'),
})

export type CapacityConfig = z.output<typeof capacitySchema>

export type Admission =
  | { ok: true; queuedMs: number; factor: number }
  | { ok: false; reason: 'queue-full' | 'queue-timeout' | 'client-left' }

interface Waiter {
  grant: () => void
  enqueuedAt: number
}

/** Concurrency slots and a bounded FIFO queue. Call `release()` once for every admitted request. */
export class Capacity {
  active = 0
  private waiting: Waiter[] = []

  constructor(
    readonly config: CapacityConfig,
    private readonly now: () => number,
  ) {}

  get queued(): number {
    return this.waiting.length
  }

  /** Latency multiplier for a request that just took a slot: 1 alone, 1 + inflation with every slot busy. */
  private factor(): number {
    const others = this.active - 1
    const room = this.config.max_concurrency - 1
    return room <= 0 ? 1 : 1 + this.config.inflation * Math.min(1, others / room)
  }

  /** Takes a slot, waiting in the queue when all are busy; `signal` aborts the wait when the client leaves. */
  acquire(signal?: AbortSignal): Promise<Admission> {
    if (this.active < this.config.max_concurrency) {
      this.active++
      return Promise.resolve({ ok: true, queuedMs: 0, factor: this.factor() })
    }
    if (this.waiting.length >= this.config.queue) return Promise.resolve({ ok: false, reason: 'queue-full' })
    return new Promise((resolve) => {
      const enqueuedAt = this.now()
      const leave = (reason: 'queue-timeout' | 'client-left') => {
        const i = this.waiting.indexOf(waiter)
        if (i >= 0) this.waiting.splice(i, 1)
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        resolve({ ok: false, reason })
      }
      const onAbort = () => leave('client-left')
      const waiter: Waiter = {
        enqueuedAt,
        grant: () => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          this.active++
          resolve({ ok: true, queuedMs: this.now() - enqueuedAt, factor: this.factor() })
        },
      }
      const timer = setTimeout(() => leave('queue-timeout'), this.config.queue_timeout)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiting.push(waiter)
    })
  }

  release(): void {
    this.active = Math.max(0, this.active - 1)
    const next = this.waiting.shift()
    if (next) next.grant()
  }
}
