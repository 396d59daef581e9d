import { once } from 'node:events'
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { systemClock } from '../../src/clock.js'
import { chatBody, journalEntry, withUpstream } from '../helpers.js'

/** Keeps this and the next turns of the event loop busy for `ms` each (in the check phase): a loaded machine. */
function slowLoop(ms: number, turns: number, done: () => void): void {
  const until = systemClock.now() + ms
  while (systemClock.now() < until) {}
  if (turns > 1) setImmediate(slowLoop, ms, turns - 1, done)
  else done()
}

/** Sends a streaming chat request on a raw socket and resolves once the first response bytes arrive. */
async function openStream(url: string, id: string): Promise<net.Socket> {
  const { port } = new URL(url)
  const socket = net.connect(Number(port), '127.0.0.1')
  await once(socket, 'connect')
  const body = chatBody(id, { stream: true })
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
  await once(socket, 'data')
  return socket
}

describe('when an attempt ends, as the journal records it', () => {
  // A gateway that gives up on an attempt retries at once; Node reports the response's 'close' one or more loop
  // turns after the client left. On a busy machine those turns are long, and the retry was stamped as arriving
  // before the abandoned attempt "ended": a negative retry gap. The end is the first sign that the client left.
  it.each(['destroy', 'resetAndDestroy'] as const)(
    'an attempt the client abandons (%s) ends when the client left, not loop turns later',
    (how) =>
      withUpstream({ faults: [{ fault: { type: 'stream-stall', after: 1, duration: '5s' } }] }, async (up) => {
        const socket = await openStream(up.url, `end-${how}`)
        let leftAt = 0
        const busy = new Promise<void>((resolve) =>
          setImmediate(() => {
            leftAt = systemClock.now()
            socket[how]()
            // From the next turn on, every turn takes 60 ms: the loop turns between the client's FIN/RST and
            // the response's 'close' now cost real time.
            setImmediate(slowLoop, 60, 3, resolve)
          }),
        )
        const entry = await journalEntry(up, `end-${how}`)
        await busy
        expect(entry.endedBy).toBe('client')
        expect(entry.receivedAt + entry.durationMs - leftAt).toBeLessThan(30)
      }),
  )
})
