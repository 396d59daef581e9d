/**
 * What every summary inherits: JSON of a summary is all of it, what is its own first (the fields it holds in
 * columns: ids, numbers, times; then its own fields), then its shared part's, much as a summary made of one object
 * wrote them.
 */
export const SUMMARY_BASE: object = Object.defineProperty({}, 'toJSON', {
  enumerable: false,
  value(this: Record<string, unknown>): Record<string, unknown> {
    const out = { column: {}, own: {}, shared: {} } as Record<FieldKind, Record<string, unknown>>
    for (const key in this) out[fieldKind(this, key)][key] = this[key]
    return Object.assign(out.column, out.own, out.shared)
  },
})

type FieldKind = 'column' | 'own' | 'shared'

/** Where a summary's field comes from: its columns (an accessor), the summary itself, or its shared part. */
function fieldKind(summary: object, key: string): FieldKind {
  for (let o: object | null = summary; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, key)
    if (d) return o === summary ? 'own' : d.get !== undefined ? 'column' : 'shared'
  }
  return 'shared'
}

/**
 * The fields a million summaries repeat (outcome, status, model, phase, faults…), held once: one object per
 * distinct combination, the prototype of every summary that has it, so that a summary's own properties are only
 * what differs from one request to the next (its id, number and times). Reading a field reads through to the
 * shared part; JSON of a summary has both. Past `max` distinct combinations, summaries hold every field.
 */
export class SharedParts {
  private parts = new Map<string, object>()

  constructor(private readonly max = 10_000) {}

  /**
   * The one object holding `shared` (values already shared themselves: the key is their JSON), inheriting `base`
   * (one `baseKey` per distinct base); undefined past `max` distinct ones.
   */
  part(shared: Record<string, unknown>, base: object = SUMMARY_BASE, baseKey = ''): object | undefined {
    const key = `${baseKey}|${JSON.stringify(shared)}`
    let part = this.parts.get(key)
    if (!part) {
      if (this.parts.size >= this.max) return undefined
      part = Object.assign(Object.create(base) as object, shared)
      this.parts.set(key, part)
    }
    return part
  }

  /** `own`, inheriting `shared` (and through it `base`, one `baseKey` per distinct base). */
  join<T>(shared: Record<string, unknown>, own: object, base: object = SUMMARY_BASE, baseKey = ''): T {
    const part = this.part(shared, base, baseKey)
    if (!part) return Object.setPrototypeOf(Object.assign(own, shared), base) as T
    return Object.setPrototypeOf(own, part) as T
  }
}

/**
 * A copy of `summary` with `changes`, keeping what it inherits from its shared part (a spread, `{ ...summary }`,
 * copies only its own fields and silently loses the shared ones).
 */
export function withChanges<T extends object>(summary: T, changes: Partial<T>): T {
  return Object.assign(Object.create(Object.getPrototypeOf(summary) as object) as T, summary, changes)
}
