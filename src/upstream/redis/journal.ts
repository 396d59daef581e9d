import type { Redis } from 'ioredis'
import { type Journal, type JournalEntry, type JournalQuery, matchesQuery } from '../journal.js'
import type { JournalState, JournalView } from '../shared-state.js'
import type { RedisScript } from './connect.js'
import type { RedisKeys } from './keys.js'

/** Most entries sent to Redis in one round trip. */
const BATCH = 500

/**
 * The journal of an upstream served by replicas: each replica appends the entries it ends to one Redis stream
 * (batched, one round trip per batch, trimmed to about the journal's capacity), and any replica reads them all,
 * in `seq` order, with its own open attempts. A read first waits for this replica's unsent entries, so a replica
 * always sees what it served itself; another replica's entries arrive within its next round trip.
 */
export class RedisJournal {
  private batch: string[] = []
  private sending: Promise<void> = Promise.resolve()
  private scheduled = false
  /** Why the last append failed, if it did (entries of that batch are only in this replica's journal). */
  lastError: Error | undefined

  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
    private readonly capacity: number,
    private readonly ttlMs: number,
    private readonly append: RedisScript,
  ) {}

  /** Sends every entry `local` records from now on; returns the unsubscribe function. */
  watch(local: Journal): () => void {
    return local.subscribe((entry) => {
      this.batch.push(JSON.stringify(entry))
      if (this.scheduled) return
      this.scheduled = true
      setImmediate(() => {
        this.scheduled = false
        void this.flush()
      })
    })
  }

  /** Sends what is waiting (after what is being sent); resolves once Redis has it all. */
  flush(): Promise<void> {
    const chunks: string[][] = []
    while (this.batch.length > 0) chunks.push(this.batch.splice(0, BATCH))
    this.sending = this.sending.then(async () => {
      for (const chunk of chunks) {
        await this.append([this.keys.journal, this.keys.journalTotal], [this.capacity, this.ttlMs, ...chunk]).catch(
          (err: unknown) => {
            this.lastError = err instanceof Error ? err : new Error(String(err))
          },
        )
      }
    })
    return this.sending
  }

  /** Forgets entries not yet sent (a reset). */
  drop(): void {
    this.batch = []
  }

  private async ended(query: JournalQuery): Promise<JournalEntry[]> {
    await this.flush()
    const rows = await this.client.xrange(this.keys.journal, '-', '+')
    const out: JournalEntry[] = []
    for (const [, fields] of rows) {
      const entry = JSON.parse(fields[1] ?? 'null') as JournalEntry | null
      if (entry && matchesQuery(entry, query)) out.push(entry)
    }
    return out.sort((a, b) => a.seq - b.seq)
  }

  /** Every replica's ended entries from Redis, and this replica's open ones. */
  view(local: Journal): JournalView {
    return {
      entries: async (query, state: JournalState) => [
        ...(state === 'open' ? [] : await this.ended(query)),
        ...(state === 'ended' ? [] : local.openEntries(query)),
      ],
      counts: async () => {
        await this.flush()
        const [size, total] = await Promise.all([
          this.client.xlen(this.keys.journal),
          this.client.get(this.keys.journalTotal),
        ])
        const all = Number(total ?? 0)
        return { size, total: all, dropped: Math.max(0, all - size), open: local.openCount }
      },
    }
  }
}
