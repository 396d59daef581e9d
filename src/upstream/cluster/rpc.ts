import type { Call, CallTable, Message, Note, Reply } from './protocol.js'

/** How one side answers the calls of the other: a function per method. */
export type Answers<In extends CallTable> = { [M in keyof In]: (params: In[M][0]) => Promise<In[M][1]> | In[M][1] }

/**
 * One end of the primary–worker link: `call` sends a call and resolves with its reply; calls from the other side
 * are answered by `answers`; notes go to `onNote`. `receive` is fed every batch that arrives. Messages go out in
 * batches, one per turn of the event loop (an IPC message costs a write and a parse whatever its size: under load
 * a batch carries many arrivals).
 */
export class Rpc<Out extends CallTable, In extends CallTable> {
  private next = 0
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private closed: Error | undefined
  private outbox: Array<Message<Out> | Message<In>> = []

  constructor(
    private readonly send: (batch: Array<Message<Out> | Message<In>>) => void,
    private readonly answers: Answers<In>,
    private readonly onNote: (note: Note) => void = () => undefined,
  ) {}

  call<M extends keyof Out & string>(method: M, params: Out[M][0]): Promise<Out[M][1]> {
    if (this.closed) return Promise.reject(this.closed)
    const id = ++this.next
    return new Promise<Out[M][1]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.post({ kind: 'call', id, method, params } as Call<Out>)
    })
  }

  note(note: Note): void {
    this.post(note)
  }

  private post(message: Message<Out> | Message<In>): void {
    if (this.closed) return
    this.outbox.push(message)
    if (this.outbox.length === 1) setImmediate(() => this.flush())
  }

  private flush(): void {
    const batch = this.outbox
    this.outbox = []
    if (batch.length > 0 && !this.closed) this.send(batch)
  }

  receive(batch: Array<Message<In> | Message<Out>>): void {
    for (const message of batch) {
      if (message.kind === 'reply') this.settle(message)
      else if (message.kind === 'call') void this.answer(message as Call<In>)
      else this.onNote(message)
    }
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id)
    if (!waiter) return
    this.pending.delete(reply.id)
    if ('error' in reply) waiter.reject(new Error(reply.error))
    else waiter.resolve(reply.value)
  }

  private async answer(call: Call<In>): Promise<void> {
    const method = call.method as keyof In
    let reply: Reply
    try {
      const value = await this.answers[method](call.params as In[typeof method][0])
      reply = { kind: 'reply', id: call.id, value }
    } catch (err) {
      reply = { kind: 'reply', id: call.id, error: err instanceof Error ? err.message : String(err) }
    }
    this.post(reply)
  }

  /** The other side is gone: every pending and later call fails with `reason`. */
  close(reason: Error): void {
    this.closed = reason
    for (const waiter of this.pending.values()) waiter.reject(reason)
    this.pending.clear()
  }
}
