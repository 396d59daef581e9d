import { describe, expect, it } from 'vitest'
import { grade } from '../../src/grade/grade.js'
import { att, failed, fault503, rec, run } from './builders.js'

const KEY = 'breaker.collateral'
const EXPECT = { expect: { [KEY]: '== 0' } }

function check(data: ReturnType<typeof run>) {
  const c = grade(data).checks.find((x) => x.key === KEY)
  if (!c) throw new Error(`no check ${KEY}`)
  return c
}

/** A request for `model`, sent at `atMs`, that the gateway refused itself (503, no upstream attempt). */
const refused = (id: string, model: string, atMs: number) => failed(id, 503, { model, intendedAt: atMs })

describe('breaker.collateral', () => {
  it('passes when only the failing model is refused', () => {
    const data = run(
      [rec('a', { model: 'bad' }), refused('b', 'bad', 500), rec('c', { model: 'good', intendedAt: 600 })],
      [fault503('a', 1, 0, { model: 'bad' }), att('c', 1, 600, { model: 'good' })],
      EXPECT,
    )
    expect(check(data)).toMatchObject({ verdict: 'pass', value: 0 })
  })

  it('fails a refusal of a model whose last attempt succeeded, or that was never tried', () => {
    const data = run(
      [
        rec('a', { model: 'bad' }),
        rec('b', { model: 'good', intendedAt: 100 }),
        refused('c', 'good', 500),
        refused('d', 'other', 600),
        refused('e', 'bad', 700),
      ],
      [fault503('a', 1, 0, { model: 'bad' }), att('b', 1, 100, { model: 'good' })],
      EXPECT,
    )
    const c = check(data)
    expect(c).toMatchObject({ verdict: 'fail', value: 2 })
    expect(c.examples.map((e) => e.id)).toEqual(['c', 'd'])
  })

  it('has no evidence when the gateway refused nothing itself', () => {
    const data = run([rec('a')], [att('a', 1, 0)], EXPECT)
    expect(check(data)).toMatchObject({ verdict: 'no-evidence', value: null })
  })
})
