import type { Registry } from 'prom-client'
import type { Rule } from '../../faults/rules.js'
import type { Admission } from '../capacity.js'
import type { Journal } from '../journal.js'
import type { Arrival, CapacityGate, JournalView, LimitsSnapshot, SharedState, Ticket } from '../shared-state.js'
import type { PrimaryCalls, WorkerCalls } from './protocol.js'
import type { Rpc } from './rpc.js'

/**
 * The slots and queue of the primary's one Capacity, seen from a worker: `acquire` asks the primary (and cancels
 * the wait when the client leaves), `release` tells it. `active` and `queued` count this worker's share, so that
 * the workers' metrics sum to the totals.
 */
class IpcCapacity implements CapacityGate {
  active = 0
  queued = 0
  private waits = 0

  constructor(private readonly rpc: Rpc<PrimaryCalls, WorkerCalls>) {}

  async acquire(signal?: AbortSignal): Promise<Admission> {
    if (signal?.aborted) return { ok: false, reason: 'client-left' }
    const wait = ++this.waits
    const cancel = () => this.rpc.note({ kind: 'cancel', wait })
    signal?.addEventListener('abort', cancel, { once: true })
    this.queued++
    try {
      const admission = await this.rpc.call('acquire', { wait })
      if (admission.ok) this.active++
      return admission
    } finally {
      this.queued--
      signal?.removeEventListener('abort', cancel)
    }
  }

  release(): void {
    this.active = Math.max(0, this.active - 1)
    this.rpc.note({ kind: 'release' })
  }
}

/**
 * A `serve --workers` worker's shared state: every decision that depends on other attempts is one call to the
 * primary, which holds the authoritative LocalState. The rules in force are kept here too (the primary sends every
 * change to every worker before the change is acknowledged), so matching a rule needs no round trip.
 */
export class IpcState implements SharedState {
  readonly capacity: CapacityGate | undefined
  private current: Rule[]
  private readonly listeners: Array<(rules: readonly Rule[]) => void> = []
  private readonly startListeners: Array<(startedAt: number) => void> = []

  constructor(
    private readonly rpc: Rpc<PrimaryCalls, WorkerCalls>,
    rules: readonly Rule[],
    hasCapacity: boolean,
    private startedAt: number,
  ) {
    this.current = [...rules]
    this.capacity = hasCapacity ? new IpcCapacity(rpc) : undefined
  }

  async arrive(arrival: Arrival): Promise<Ticket> {
    const ticket = await this.rpc.call('arrive', arrival)
    if (ticket.startedAt !== undefined && ticket.startedAt !== this.startedAt) {
      this.startedAt = ticket.startedAt
      for (const listener of this.startListeners) listener(ticket.startedAt)
    }
    return ticket
  }

  onStart(listener: (startedAt: number) => void): void {
    this.startListeners.push(listener)
  }

  limits(): Promise<LimitsSnapshot> {
    return this.rpc.call('limits', null)
  }

  rules(): Rule[] {
    return [...this.current]
  }

  /** The primary says which rules are in force now (after any worker's change). */
  applyRules(rules: readonly Rule[]): void {
    this.current = [...rules]
    for (const listener of this.listeners) listener(this.current)
  }

  async replaceRules(rules: readonly Rule[]): Promise<void> {
    await this.rpc.call('replaceRules', [...rules])
  }

  onRules(listener: (rules: readonly Rule[]) => void): void {
    this.listeners.push(listener)
  }

  journal(_local: Journal): JournalView {
    return {
      entries: (query, state) => this.rpc.call('journal', { query, state }),
      counts: () => this.rpc.call('counts', null),
    }
  }

  metrics(_local: Registry): Promise<string> {
    return this.rpc.call('metrics', null)
  }

  async reset(): Promise<void> {
    await this.rpc.call('reset', null)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
