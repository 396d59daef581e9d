import { onStop } from '../load/send.js'

/**
 * At most `cap` client processes at once. A request due while every slot is taken waits for one, first come
 * first served; the wait counts as brownout's own lag (its start lag), never as the client's latency alone.
 */
export class ProcessSlots {
  private running = 0
  private readonly waiting: Array<(ok: boolean) => void> = []
  /** Most processes that ran at once. */
  peak = 0

  constructor(readonly cap: number) {}

  /** Resolves true when a slot is taken, false when the run stopped first (the request is then never run). */
  acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false)
    if (this.running < this.cap) return Promise.resolve(this.take())
    return new Promise((resolve) => {
      const grant = (ok: boolean) => {
        unlisten()
        resolve(ok && this.take())
      }
      const unlisten = onStop(signal, () => {
        const i = this.waiting.indexOf(grant)
        if (i >= 0) this.waiting.splice(i, 1)
        resolve(false)
      })
      this.waiting.push(grant)
    })
  }

  release(): void {
    this.running--
    this.waiting.shift()?.(true)
  }

  private take(): true {
    this.running++
    this.peak = Math.max(this.peak, this.running)
    return true
  }
}
