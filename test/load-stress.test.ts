import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { systemClock } from '../src/clock.js'
import { startLoad } from '../src/load/driver.js'
import type { ClientRecord } from '../src/load/record.js'
import { loadSchema } from '../src/scenario/schema.js'
import type { JournalEntry } from '../src/upstream/journal.js'
import { startUpstream } from '../src/upstream/server.js'

/** Busy-waits until the clock reaches `untilMs`: brownout's own loop blocked, as on an overloaded machine. */
function blockUntil(untilMs: number): void {
  while (systemClock.now() < untilMs);
}

/** `ss` lists a listening socket's backlog in its Send-Q column; undefined where `ss` is missing. */
function listenBacklog(port: number): number | undefined {
  try {
    const line = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim()
    return Number(line.split(/\s+/)[2])
  } catch {
    return undefined
  }
}

describe('streaming load under stress: every answer that arrived is recorded', () => {
  it('compares every client record with its journal entry while brownout itself stalls', async () => {
    const timeoutMs = 1500
    const upstream = await startUpstream({
      port: 0,
      seed: 12,
      latency: { ttft: 5, itl: 1 },
      faults: [{ when: { probability: 0.1 }, fault: { type: 'error', status: 503 } }],
    })
    const journal = new Map<string, JournalEntry>()
    const records: ClientRecord[] = []
    let completed = 0
    const stalledOn = new Set<string>()
    try {
      // On the 1st, 60th and 120th complete stream, the loop stalls right after the upstream wrote its last byte and until that
      // request's client deadline has passed: its whole answer waits in the client's socket while the deadline
      // timer expires. Other requests in flight time out for real; the comparison below leaves them out.
      const off = upstream.journal.subscribe((entry) => {
        journal.set(entry.requestId, entry)
        if (entry.status === 200 && ++completed % 60 === 1 && stalledOn.size < 3) {
          stalledOn.add(entry.requestId)
          blockUntil(entry.receivedAt + timeoutMs + 50)
        }
      })
      const rate = 250
      const count = 250
      const load = startLoad(
        {
          load: loadSchema.parse({
            request: { stream: true, max_tokens: 16 },
            rate,
            timeout: timeoutMs,
            max_in_flight: 10_000,
          }),
          seed: 12,
          runId: 'stress',
          phases: [{ name: 'burst', startMs: 0, endMs: 1000 }],
          durationMs: 1000,
          baseUrl: () => upstream.url,
          mapping: {},
          clock: systemClock,
          onRecord: (r) => records.push(r),
        },
        Array.from({ length: count }, (_, i) => (i * 1000) / rate),
      )
      await load.done
      off()
      expect(records).toHaveLength(count)
      expect(stalledOn.size).toBeGreaterThan(0)

      // The upstream completed a 200 stream before the client's deadline, and the client had not gone: the answer
      // arrived, so the record must hold it, whatever brownout's own loop was doing.
      const arrived = records.filter((r) => {
        const j = journal.get(r.id)
        if (j?.status !== 200 || j.endedBy !== 'end' || j.clientDisconnected) return false
        const deadline = load.startMs + r.intendedAt + r.sendLagMs + timeoutMs
        return j.receivedAt + j.durationMs < deadline - 1
      })
      const lost = arrived.filter((r) => r.outcome !== 'ok' || r.events === 0 || !r.terminal)
      expect(lost.map((r) => ({ id: r.id, outcome: r.outcome, events: r.events, error: r.error }))).toEqual([])
      // The stalls did cut into answers that had arrived (on a machine so busy that none had, the test proves less).
      expect(arrived.filter((r) => stalledOn.has(r.id)).length).toBeGreaterThan(0)
      // A deadline that did pass says what it cut off (never a bare "Error").
      for (const r of records.filter((x) => x.outcome === 'timeout'))
        expect(r.error).toMatch(/^client deadline 1500 ms/)
    } finally {
      await upstream.close()
    }
  }, 30_000)

  it("listens with an accept queue deeper than a driver's burst of connections", async () => {
    // At Node's default backlog (511) a burst of connections while the loop is busy overflows the accept queue:
    // Linux drops the handshake's last ACK, the client sends its request on a connection the server does not have
    // yet, and the upstream sees it only after a retransmission seconds later (the journal then shows a 30 ms
    // answer to a request the client had long given up on). The kernel caps the backlog at somaxconn.
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'))
    const upstream = await startUpstream({ port: 0 })
    try {
      const backlog = listenBacklog(upstream.port)
      if (backlog === undefined) return
      expect(backlog).toBe(Math.min(somaxconn, 65_535))
      if (somaxconn > 1024) expect(backlog).toBeGreaterThan(1024)
    } finally {
      await upstream.close()
    }
  })
})
