/** The key under which a summary holds its row in its columns (a symbol: JSON and for…in do not see it). */
export const ROW: unique symbol = Symbol('brownout.row')

/**
 * A summary as it starts: its row alone. Made by a constructor, not a literal, so that V8 gives it room for that
 * one field (32 bytes; a literal's slack makes it 56), the rest of it being read through its prototypes.
 */
export class RowHolder {
  [ROW]: number

  constructor(row: number) {
    this[ROW] = row
  }
}

/** Rows per chunk: a column grows a chunk at a time, and a field never written in a chunk takes no memory there. */
const CHUNK_BITS = 12
const CHUNK = 1 << CHUNK_BITS

type Chunk = Int32Array | Float64Array

const isInt32 = (v: number) => (v | 0) === v && !Object.is(v, -0)

/**
 * The numbers of a million summaries as columns, one chunk of 4,096 rows at a time per field, instead of a boxed
 * number (16 bytes and a pointer) per field per summary. A chunk holds 32-bit integers (4 bytes a row) until it is
 * given another number, then every number as it is (8 bytes a row: NaN, -0, fractions). Rows are handed out in
 * order; a summary keeps only its row (under `ROW`).
 */
export class NumberColumns<F extends string> {
  private chunks = new Map<F, Chunk[]>()
  private rows = 0

  /** A new row. */
  row(): number {
    return this.rows++
  }

  set(field: F, row: number, value: number): void {
    const list = this.list(field)
    const c = row >>> CHUNK_BITS
    let chunk = list[c]
    if (!chunk) {
      chunk = isInt32(value) ? new Int32Array(CHUNK) : new Float64Array(CHUNK)
      list[c] = chunk
    } else if (chunk instanceof Int32Array && !isInt32(value)) {
      chunk = Float64Array.from(chunk)
      list[c] = chunk
    }
    chunk[row & (CHUNK - 1)] = value
  }

  private list(field: F): Chunk[] {
    let list = this.chunks.get(field)
    if (!list) {
      list = []
      this.chunks.set(field, list)
    }
    return list
  }

  /** The reader of one field (looked up once per accessor, not per read). */
  reader(field: F): (row: number) => number {
    const chunks = this.list(field)
    return (row) => (chunks[row >>> CHUNK_BITS] as Chunk)[row & (CHUNK - 1)] as number
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
  fields: ReadonlyArray<ColumnField<F>>,
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
