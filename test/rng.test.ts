import fc from 'fast-check'
import seedrandom from 'seedrandom'
import { describe, expect, it } from 'vitest'
import { hash32, rngFor } from '../src/rng.js'
import { idSuffix } from '../src/upstream/content.js'

describe('hash32', () => {
  it('continues a hash: hash32(b, hash32(a)) is hash32(a + b)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(hash32(b, hash32(a))).toBe(hash32(a + b))
      }),
      { numRuns: 500, seed: 11 },
    )
  })
})

describe('rngFor', () => {
  it("gives the numbers seedrandom's alea gives for the same parts, so answers and faults stay what they were", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.integer())), (parts) => {
        const ours = rngFor(...parts)
        const theirs = seedrandom.alea(parts.join('\u0000'))
        for (let i = 0; i < 20; i++) expect(ours()).toBe(theirs())
      }),
      { numRuns: 500, seed: 12 },
    )
    const first = rngFor(1, 'bench-fixed', 'answer')
    expect([first(), first()]).toEqual([0.048353370744735, 0.6734590502455831])
  })
})

describe('idSuffix', () => {
  it('is three salted hashes of (seed, parts) in hex, so ids stay what they were', () => {
    const hex = (n: number) => n.toString(16).padStart(8, '0')
    const key = '7\u0000req-1\u00002\u0000chat'
    expect(idSuffix(7, 'req-1', 2, 'chat')).toBe(
      hex(hash32(`1${key}`)) + hex(hash32(`2${key}`)) + hex(hash32(`3${key}`)),
    )
    expect(idSuffix(7, 'req-1', 2, 'chat')).toMatch(/^[0-9a-f]{24}$/)
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string()), fc.array(fc.oneof(fc.string(), fc.integer())), (seed, parts) => {
        const k = `${seed}\u0000${parts.join('\u0000')}`
        expect(idSuffix(seed, ...parts)).toBe(hex(hash32(`1${k}`)) + hex(hash32(`2${k}`)) + hex(hash32(`3${k}`)))
      }),
      { numRuns: 500, seed: 13 },
    )
  })
})
