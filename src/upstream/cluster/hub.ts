import { AggregatorRegistry } from 'prom-client'
import type { Capacity } from '../capacity.js'
import type { JournalEntry } from '../journal.js'
import type { LocalState } from '../shared-state.js'
import type { JournalCounts, Message, Note, PrimaryCalls, WorkerCalls } from './protocol.js'
import { type Answers, Rpc } from './rpc.js'

/** A worker's share of the capacity: its waits for a slot (by its number for each), and the slots it holds. */
interface Slots {
  waits: Map<number, AbortController>
  held: number
}

const bySeq = (a: JournalEntry, b: JournalEntry) => a.seq - b.seq

/**
 * The primary's side of `serve --workers`: holds the upstream's one LocalState (arrival order, attempt counters,
 * buckets, rules) and its one Capacity, and answers every worker's calls in the order they arrive. Rule changes
 * and resets go to every worker before they are acknowledged; the journal and metrics are gathered from all.
 */
export class ClusterHub {
  private readonly links = new Set<Rpc<WorkerCalls, PrimaryCalls>>()
  /** Gets every entry a worker journals, when the workers stream them (a run's upstreams). */
  onEntry: (entry: JournalEntry) => void = () => undefined
  /** The seq of the last arrival answered. */
  lastSeq = 0

  constructor(
    readonly local: LocalState,
    private readonly capacity: Capacity | undefined,
    /** The clock origin of `during` windows: every arrival's ticket carries it to its worker. */
    public startedAt: number,
  ) {}

  /** Links a worker: `send` reaches it; returns what to feed its messages to, and what to call when it is gone. */
  add(send: (batch: Array<Message<WorkerCalls> | Message<PrimaryCalls>>) => void): {
    receive: (batch: Array<Message<PrimaryCalls>>) => void
    gone: () => void
  } {
    const slots: Slots = { waits: new Map(), held: 0 }
    const rpc = new Rpc<WorkerCalls, PrimaryCalls>(send, this.answers(slots), (note) => this.onNote(slots, note))
    this.links.add(rpc)
    return {
      receive: (batch) => rpc.receive(batch),
      gone: () => {
        this.links.delete(rpc)
        rpc.close(new Error('worker gone'))
        for (const wait of slots.waits.values()) wait.abort()
        for (; slots.held > 0; slots.held--) this.capacity?.release()
      },
    }
  }

  private onNote(link: Slots, note: Note): void {
    if (note.kind === 'entry') this.onEntry(note.entry)
    else if (note.kind === 'release') {
      if (link.held > 0) link.held--
      this.capacity?.release()
    } else if (note.kind === 'cancel') link.waits.get(note.wait)?.abort()
  }

  private answers(link: Slots): Answers<PrimaryCalls> {
    return {
      arrive: (arrival) => {
        const ticket = this.local.arriveNow(arrival)
        this.lastSeq = ticket.seq
        return { ...ticket, startedAt: this.startedAt }
      },
      limits: () => this.local.limits(),
      acquire: async ({ wait }) => {
        if (!this.capacity) return { ok: true, queuedMs: 0, factor: 1 }
        const controller = new AbortController()
        link.waits.set(wait, controller)
        const admission = await this.capacity.acquire(controller.signal)
        link.waits.delete(wait)
        if (admission.ok) link.held++
        return admission
      },
      replaceRules: async (rules) => {
        await this.local.replaceRules(rules)
        await this.everyWorker('rules', rules)
        return null
      },
      reset: () => this.reset(),
      journal: async (params) => {
        const parts = await this.everyWorker('journal', params)
        return [...parts.flatMap((p) => p.ended).sort(bySeq), ...parts.flatMap((p) => p.open).sort(bySeq)]
      },
      counts: () => this.counts(),
      metrics: async () => AggregatorRegistry.aggregate(await this.everyWorker('metrics', null)).metrics(),
    }
  }

  /** Forgets counters and buckets here, and every worker's journal. */
  async reset(): Promise<null> {
    await this.local.reset()
    await this.everyWorker('reset', null)
    return null
  }

  /** The journal's counts summed over every worker. */
  async counts(): Promise<JournalCounts> {
    const parts = await this.everyWorker('counts', null)
    const sum = (key: keyof JournalCounts) => parts.reduce((s, p) => s + p[key], 0)
    return { size: sum('size'), total: sum('total'), dropped: sum('dropped'), open: sum('open') }
  }

  /** Asks every worker the same, and resolves with their answers. */
  everyWorker<M extends keyof WorkerCalls & string>(
    method: M,
    params: WorkerCalls[M][0],
  ): Promise<Array<WorkerCalls[M][1]>> {
    return Promise.all([...this.links].map((rpc) => rpc.call(method, params)))
  }
}
