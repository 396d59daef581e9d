import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonShape, jsonTemplate } from '../src/json-template.js'

describe('jsonTemplate', () => {
  it('fills to exactly what JSON.stringify gives, for any string', () => {
    const build = (s: string) => ({ id: 'x', choices: [{ index: 0, delta: { content: s }, n: null }], usage: null })
    const fill = jsonTemplate(build)
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(fill(s)).toBe(JSON.stringify(build(s)))
      }),
      { numRuns: 2000, seed: 3 },
    )
  })

  it('refuses a shape without the hole or with it twice', () => {
    expect(() => jsonTemplate(() => ({ a: 1 }))).toThrow(/once/)
    expect(() => jsonTemplate((h) => [h, h])).toThrow(/once/)
  })
})

describe('jsonShape', () => {
  it('fills named holes, in any order and of any JSON type, to exactly what JSON.stringify gives', () => {
    const build = (v: { id: unknown; n: unknown; text: unknown; usage: unknown }) => ({
      text: v.text,
      id: v.id,
      fixed: [1, 'two', null],
      nested: { n: v.n, usage: v.usage },
    })
    const fill = jsonShape(['id', 'n', 'text', 'usage'], build)
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        fc.jsonValue(),
        (text, n, usage) => {
          const values = { id: `id-${n}`, n, text, usage }
          expect(fill(values)).toBe(JSON.stringify(build(values)))
        },
      ),
      { numRuns: 1000, seed: 5 },
    )
    expect(() => jsonShape(['a', 'b'], (h) => ({ a: h.a }))).toThrow(/hole b/)
  })
})
