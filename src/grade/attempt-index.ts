import type { JournalEntry } from '../upstream/journal.js'

/** Upstream attempts by request id, in arrival order: what grading and the reports look a request's attempts up in. */
export interface AttemptLookup {
  get(id: string): JournalEntry[] | undefined
  has(id: string): boolean
}

/** An id that is a prefix and a number, as brownout's own are (`brn-<run id>-42`). */
const NUMBERED = /^(.{0,64}?-)(0|[1-9][0-9]{0,14})$/
/** Prefixes kept by number at most (a run has one; ids of other forms are kept by name past these). */
const MAX_PREFIXES = 64

/**
 * The attempts of a run's requests by id, built once per grading. An id that is a prefix and a number is kept as its
 * number (a summary makes its id string anew each time it is read: a map by string would hold a million of them),
 * and a request's lone attempt as itself, not in a list of one: about 40 bytes a request instead of 140.
 */
export class AttemptIndex implements AttemptLookup {
  private numbered = new Map<string, Map<number, JournalEntry | JournalEntry[]>>()
  private named = new Map<string, JournalEntry | JournalEntry[]>()

  constructor(journal: readonly JournalEntry[]) {
    const lists: JournalEntry[][] = []
    for (const e of journal) {
      const { map, key } = this.slot(e.requestId, true)
      const known = map.get(key)
      if (known === undefined) map.set(key, e)
      else if (Array.isArray(known)) known.push(e)
      else {
        const list = [known, e]
        lists.push(list)
        map.set(key, list)
      }
    }
    for (const list of lists) list.sort((a, b) => a.receivedAt - b.receivedAt)
  }

  get(id: string): JournalEntry[] | undefined {
    const { map, key } = this.slot(id, false)
    const found = map.get(key)
    return found === undefined ? undefined : Array.isArray(found) ? found : [found]
  }

  has(id: string): boolean {
    const { map, key } = this.slot(id, false)
    return map.has(key)
  }

  /**
   * The map an id is kept in and its key there: its prefix's by number (the map made when `create`, for at most
   * MAX_PREFIXES prefixes), else the map by name.
   */
  private slot(id: string, create: boolean): { map: Map<unknown, JournalEntry | JournalEntry[]>; key: unknown } {
    const m = typeof id === 'string' ? NUMBERED.exec(id) : null
    const prefix = m?.[1]
    let map = prefix === undefined ? undefined : this.numbered.get(prefix)
    if (!map && prefix !== undefined && create && this.numbered.size < MAX_PREFIXES) {
      map = new Map()
      this.numbered.set(prefix, map)
    }
    if (!map) return { map: this.named as Map<unknown, JournalEntry | JournalEntry[]>, key: id }
    return { map: map as Map<unknown, JournalEntry | JournalEntry[]>, key: Number(m?.[2]) }
  }
}
