import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonTemplate } from '../src/json-template.js'

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
