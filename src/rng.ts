import seedrandom from 'seedrandom'

/** A source of uniform numbers in [0, 1). Fault and content code takes one of these instead of Math.random(). */
export type Rng = () => number

/**
 * A deterministic RNG derived from a list of parts (seed, request id, attempt, purpose...).
 * The same parts always give the same sequence, whatever else the process is doing.
 */
export function rngFor(...parts: Array<string | number>): Rng {
  return seedrandom.alea(parts.join('\u0000'))
}

export function randomInt(rng: Rng, minInclusive: number, maxInclusive: number): number {
  return minInclusive + Math.floor(rng() * (maxInclusive - minInclusive + 1))
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)]
  if (item === undefined) throw new Error('pick() from an empty list')
  return item
}

/** A standard normal sample (Box-Muller). */
export function gaussian(rng: Rng): number {
  const u = Math.max(rng(), Number.EPSILON)
  const v = rng()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/**
 * 32-bit FNV-1a hash of a string, for turning ids into numeric seeds. `from` continues a hash:
 * `hash32(b, hash32(a)) === hash32(a + b)`, so a fixed prefix need not be hashed again.
 */
export function hash32(text: string, from = 0x811c9dc5): number {
  let h = from
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
