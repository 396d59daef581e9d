/** The key under which a summary holds its row in its columns (a symbol: JSON and for…in do not see it). */
export const ROW: unique symbol = Symbol('brownout.row')

/** Rows per chunk: a column grows a chunk at a time, and a field never written in a chunk takes no memory there. */
const CHUNK_BITS = 16
const CHUNK = 1 << CHUNK_BITS

/**
 * The numbers of a million summaries as columns: one Float64Array chunk per field and 65,536 rows, instead of a
 * boxed number (16 bytes and a pointer) per field per summary. Any number goes in and comes out as it was (NaN,
 * -0, fractions). Rows are handed out in order; a summary keeps only its row (under `ROW`).
 */
export class NumberColumns<F extends string> {
  private chunks = new Map<F, Float64Array[]>()
  private rows = 0

  /** A new row. */
  row(): number {
    return this.rows++
  }

  set(field: F, row: number, value: number): void {
    let list = this.chunks.get(field)
    if (!list) {
      list = []
      this.chunks.set(field, list)
    }
    const c = row >>> CHUNK_BITS
    let chunk = list[c]
    if (!chunk) {
      chunk = new Float64Array(CHUNK)
      list[c] = chunk
    }
    chunk[row & (CHUNK - 1)] = value
  }

  /** The reader of one field (looked up once per accessor, not per read). */
  reader(field: F): (row: number) => number {
    let list = this.chunks.get(field)
    if (!list) {
      list = []
      this.chunks.set(field, list)
    }
    const chunks = list
    return (row) => (chunks[row >>> CHUNK_BITS] as Float64Array)[row & (CHUNK - 1)] as number
  }
}

/** How a field held in columns reads back: its number as it was, or a value made from it (an id, a hash). */
export type Decode = (n: number) => unknown

/**
 * The prototype that reads the fields of `fields` from `columns` for the summary's `ROW` (through `decode` when
 * given). Assigning such a field (`withChanges`, merge's renumbering) gives the summary a field of its own.
 */
export function columnAccessors<F extends string>(
  columns: NumberColumns<F>,
  fields: ReadonlyArray<{ name: string; column: F; decode?: Decode }>,
  base: object,
): object {
  const proto = Object.create(base) as object
  for (const { name, column, decode } of fields) {
    const read = columns.reader(column)
    Object.defineProperty(proto, name, {
      enumerable: true,
      configurable: true,
      get: decode
        ? function (this: { [ROW]: number }) {
            return decode(read(this[ROW]))
          }
        : function (this: { [ROW]: number }) {
            return read(this[ROW])
          },
      set(this: object, value: unknown) {
        Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true })
      },
    })
  }
  return proto
}

/** A field a summary may hold in columns: its name, its column, and how it reads back (default: the number). */
export interface ColumnField<F extends string> {
  name: string
  column: F
  decode?: Decode
}

/**
 * The columns of one kind of summary (client records, journal entries): which of its fields a summary holds there
 * (one bit each in its mask) and the prototype that reads them, one per mask and decoder set.
 */
export class SummaryColumns<F extends string> {
  readonly columns = new NumberColumns<F>()
  private protos = new Map<string, object>()

  constructor(
    private readonly fields: ReadonlyArray<ColumnField<F>>,
    private readonly base: object,
  ) {}

  row(): number {
    return this.columns.row()
  }

  /** Puts field `i`'s `value` (a number; anything else is not put) in its column: the bit for the mask, or 0. */
  put(i: number, row: number, value: unknown): number {
    const field = this.fields[i]
    if (typeof value !== 'number' || !field) return 0
    this.columns.set(field.column, row, value)
    return 1 << i
  }

  /**
   * The prototype of the summaries with `mask`'s fields in columns; `decoders` (named by `key`) replace some
   * fields' own.
   */
  proto(mask: number, decoders: Record<string, Decode> = {}, key = ''): { proto: object; key: string } {
    const protoKey = `${mask}:${key}`
    let proto = this.protos.get(protoKey)
    if (!proto) {
      const fields = this.fields
        .filter((_, i) => (mask & (1 << i)) !== 0)
        .map((f) => {
          const decode = decoders[f.name] ?? f.decode
          return decode ? { ...f, decode } : f
        })
      proto = columnAccessors(this.columns, fields, this.base)
      this.protos.set(protoKey, proto)
    }
    return { proto, key: protoKey }
  }
}
