/** A source of uniform numbers in [0, 1). Fault and content code takes one of these instead of Math.random(). */
export type Rng = () => number

/**
 * A deterministic RNG derived from a list of parts (seed, request id, attempt, purpose...).
 * The same parts always give the same sequence, whatever else the process is doing.
 */
export function rngFor(...parts: Array<string | number>): Rng {
  return alea(parts.join('\u0000'))
}

/** 2^-32 */
const TWO_TO_MINUS_32 = 2.3283064365386963e-10

/** Baagoe's Mash hash, continuing from state `n`: the new state and the hash in [0, 1). */
function mash(n: number, data: string): [number, number] {
  for (let i = 0; i < data.length; i++) {
    n += data.charCodeAt(i)
    let h = 0.02519603282416938 * n
    n = h >>> 0
    h -= n
    h *= n
    n = h >>> 0
    h -= n
    n += h * 0x100000000
  }
  return [n, (n >>> 0) * TWO_TO_MINUS_32]
}

/** Alea's state after hashing its three blanks: the same for every seed, so computed once. */
const BLANKS = (() => {
  const [n0, s0] = mash(0xefc8249d, ' ')
  const [n1, s1] = mash(n0, ' ')
  const [n2, s2] = mash(n1, ' ')
  return { n: n2, s0, s1, s2 }
})()

/**
 * Baagoe's Alea seeded with `seed`: the numbers seedrandom's `alea(seed)` gives (the same algorithm, step by step),
 * without its extras (int32, double, state), which cost a few closures on every attempt.
 */
function alea(seed: string): Rng {
  let [n, h] = mash(BLANKS.n, seed)
  let s0 = BLANKS.s0 - h
  if (s0 < 0) s0 += 1
  ;[n, h] = mash(n, seed)
  let s1 = BLANKS.s1 - h
  if (s1 < 0) s1 += 1
  ;[, h] = mash(n, seed)
  let s2 = BLANKS.s2 - h
  if (s2 < 0) s2 += 1
  let c = 1
  return () => {
    const t = 2091639 * s0 + c * TWO_TO_MINUS_32
    s0 = s1
    s1 = s2
    c = t | 0
    s2 = t - c
    return s2
  }
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

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** A 32-bit value as 8 hex digits (a table is several times faster than toString(16) and padStart). */
export function hex8(h: number): string {
  return (
    (HEX_BYTE[(h >>> 24) & 255] ?? '') +
    (HEX_BYTE[(h >>> 16) & 255] ?? '') +
    (HEX_BYTE[(h >>> 8) & 255] ?? '') +
    (HEX_BYTE[h & 255] ?? '')
  )
}
