import { describe, expect, it } from 'vitest'
import type { Message } from '../../src/upstream/cluster/protocol.js'
import { Rpc } from '../../src/upstream/cluster/rpc.js'

type Calls = { double: [number, number]; fail: [null, null] }
type Batch = Array<Message<Calls>>

/** Two ends wired to each other (as the primary and a worker are over IPC), counting the batches each sends. */
function pair() {
  const sent = { a: [] as Batch[], b: [] as Batch[] }
  const answers = {
    double: (n: number) => n * 2,
    fail: () => {
      throw new Error('no such thing')
    },
  }
  const a: Rpc<Calls, Calls> = new Rpc<Calls, Calls>((batch) => {
    sent.a.push(batch as Batch)
    b.receive(batch)
  }, answers)
  const b: Rpc<Calls, Calls> = new Rpc<Calls, Calls>((batch) => {
    sent.b.push(batch as Batch)
    a.receive(batch)
  }, answers)
  return { a, b, sent }
}

describe('cluster Rpc', () => {
  it('resolves each call with its own reply, calls made in one turn going out as one batch', async () => {
    const { a, sent } = pair()
    const replies = await Promise.all([a.call('double', 1), a.call('double', 2), a.call('double', 3)])
    expect(replies).toEqual([2, 4, 6])
    expect(sent.a).toHaveLength(1)
    expect(sent.a[0]).toHaveLength(3)
    expect(sent.b).toHaveLength(1)
  })

  it('rejects a call whose answer threw, with its message', async () => {
    const { a } = pair()
    await expect(a.call('fail', null)).rejects.toThrow('no such thing')
  })

  it('fails pending and later calls once closed', async () => {
    const rpc = new Rpc<Calls, Calls>(() => undefined, { double: (n) => n, fail: () => null })
    const pending = rpc.call('double', 1)
    rpc.close(new Error('worker gone'))
    await expect(pending).rejects.toThrow('worker gone')
    await expect(rpc.call('double', 2)).rejects.toThrow('worker gone')
  })

  it('hands notes to its note handler', async () => {
    const notes: unknown[] = []
    const rpc = new Rpc<Calls, Calls>(
      () => undefined,
      { double: (n) => n, fail: () => null },
      (n) => notes.push(n),
    )
    rpc.receive([{ kind: 'release' }, { kind: 'cancel', wait: 4 }])
    expect(notes).toEqual([{ kind: 'release' }, { kind: 'cancel', wait: 4 }])
  })
})
