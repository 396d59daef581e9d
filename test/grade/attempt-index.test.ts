import { describe, expect, it } from 'vitest'
import { AttemptIndex } from '../../src/grade/attempt-index.js'
import { att } from './builders.js'

describe('the attempt index', () => {
  it("finds each request's attempts in arrival order, whatever its id looks like", () => {
    const journal = [
      att('brn-abc-2', 2, 50),
      att('brn-abc-1', 1, 10),
      att('brn-abc-2', 1, 20),
      att('brn-abc-02', 1, 30),
      att('my-own', 1, 40),
      att('brn-xyz-1', 1, 60),
      att('brn-abc-2', 3, 70),
      att('-7', 1, 80),
    ]
    const index = new AttemptIndex(journal)
    const attempts = (id: string) => index.get(id)?.map((e) => [e.requestId, e.attempt])
    expect(attempts('brn-abc-1')).toEqual([['brn-abc-1', 1]])
    expect(attempts('brn-abc-2')).toEqual([
      ['brn-abc-2', 1],
      ['brn-abc-2', 2],
      ['brn-abc-2', 3],
    ])
    expect(attempts('brn-abc-02')).toEqual([['brn-abc-02', 1]])
    expect(attempts('my-own')).toEqual([['my-own', 1]])
    expect(attempts('brn-xyz-1')).toEqual([['brn-xyz-1', 1]])
    expect(attempts('-7')).toEqual([['-7', 1]])
    for (const id of ['brn-abc-3', 'brn-abc-', 'brn-qqq-1', 'my-own-1', 'brn-abc-2.0'])
      expect([id, index.get(id), index.has(id)]).toEqual([id, undefined, false])
    expect(index.has('brn-abc-2')).toBe(true)
  })

  it('keeps ids of many prefixes apart past the prefixes it keeps by number', () => {
    const journal = Array.from({ length: 200 }, (_, i) => att(`run${i}-5`, 1, i))
    const index = new AttemptIndex(journal)
    expect(journal.every((e) => index.get(e.requestId)?.[0] === e)).toBe(true)
    expect(index.get('run0-6')).toBeUndefined()
    expect(index.get('run150-6')).toBeUndefined()
  })
})
