import { once } from 'node:events'
import { request } from 'node:http'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  type Answer,
  alive,
  chat,
  journal,
  putFaults,
  reset,
  type ServeProcess,
  send,
  startServe,
} from './serve-process.js'

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`)
const consecutive = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i)
const workersOf = (answers: Answer[]) => new Set(answers.map((a) => a.worker))

/** The sum of a metric over every label set, as /_brownout/metrics serves it. */
async function metricSum(url: string, name: string): Promise<number> {
  const text = (await send(url, '/_brownout/metrics')).body
  let total = 0
  for (const m of text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'gm'))) total += Number(m[1])
  return total
}
const requestsCounted = (url: string) => metricSum(url, 'brownout_requests_total')

/** Waits until `check` holds, polling every 20 ms, for at most 10 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * One `serve` for the tests of a describe block, started before them and stopped after; each test starts with no
 * fault rules and fresh counters. The returned object is filled in once it serves.
 */
function serveForTests(args: string[], config?: object): ServeProcess {
  const serve = {} as ServeProcess
  beforeAll(async () => {
    Object.assign(serve, await startServe(args, config))
  }, 60_000)
  afterAll(async () => {
    await serve.stop?.()
  })
  beforeEach(async () => {
    await putFaults(serve.url, [])
    await reset(serve.url)
  })
  return serve
}

describe('serve --workers 2: one upstream', () => {
  const serve = serveForTests(['--workers', '2', '--seed', '3'])

  it('counts a request id’s attempts across workers: an attempt-1 rule fails only the first', async () => {
    await putFaults(serve.url, [{ when: { attempt: 1 }, fault: { type: 'error', status: 503 } }])
    const pairs: Array<[Answer, Answer]> = []
    // Round-robin hands consecutive connections to alternate workers; keep going until a pair is split.
    for (const id of ids('attempt', 8)) {
      pairs.push([await chat(serve.url, id), await chat(serve.url, id)])
      if (pairs.filter(([a, b]) => a.worker !== b.worker).length >= 2) break
    }
    expect(pairs.filter(([a, b]) => a.worker !== b.worker).length).toBeGreaterThanOrEqual(2)
    expect(pairs.map(([a, b]) => [a.status, b.status])).toEqual(pairs.map(() => [503, 200]))
    const seconds = (await journal(serve.url)).entries.filter((e) => e.status === 200)
    expect(seconds.map((e) => e.attempt)).toEqual(pairs.map(() => 2))
  })

  it('fires an every-3 rule on exactly every third arrival overall', async () => {
    await putFaults(serve.url, [{ when: { every: 3 }, fault: { type: 'error', status: 500 } }])
    const answers = await Promise.all(ids('every', 12).map((id) => chat(serve.url, id)))
    expect(workersOf(answers)).toEqual(new Set(['1', '2']))
    const { entries } = await journal(serve.url)
    // seq goes on across resets (as with one process): the 12 arrivals are 12 consecutive numbers.
    const first = Math.min(...entries.map((e) => e.seq))
    const expected = consecutive(first, 12).filter((seq) => seq % 3 === 0)
    expect(entries.filter((e) => e.status === 500).map((e) => e.seq)).toEqual(expected)
    expect(entries.filter((e) => e.status === 200).map((e) => e.seq % 3)).not.toContain(0)
    expect(answers.filter((a) => a.status === 500)).toHaveLength(4)
  })

  it('puts rules changed through any worker in force on every worker for the next requests', async () => {
    await putFaults(serve.url, [{ fault: { type: 'error', status: 502 } }])
    const faulted = await Promise.all(ids('put', 6).map((id) => chat(serve.url, id)))
    expect(workersOf(faulted)).toEqual(new Set(['1', '2']))
    expect(faulted.map((a) => a.status)).toEqual(faulted.map(() => 502))
    await send(serve.url, '/_brownout/faults', { method: 'DELETE' })
    const clean = await Promise.all(ids('deleted', 6).map((id) => chat(serve.url, id)))
    expect(workersOf(clean)).toEqual(new Set(['1', '2']))
    expect(clean.map((a) => a.status)).toEqual(clean.map(() => 200))
  })

  it('journals every attempt exactly once, seq 1..N, across workers', async () => {
    const sent = ids('journal', 10)
    const answers = await Promise.all(sent.map((id) => chat(serve.url, id)))
    expect(workersOf(answers)).toEqual(new Set(['1', '2']))
    const { total, entries } = await journal(serve.url)
    expect(total).toBe(10)
    expect(entries.map((e) => e.seq)).toEqual(consecutive(entries[0]?.seq ?? 0, 10))
    expect(entries.map((e) => e.requestId).sort()).toEqual([...sent].sort())
  })

  it('counts every worker’s requests in one set of metrics', async () => {
    const before = await requestsCounted(serve.url)
    const answers = await Promise.all(ids('metrics', 8).map((id) => chat(serve.url, id)))
    expect(workersOf(answers)).toEqual(new Set(['1', '2']))
    // Read twice: each read may be taken by either worker, and each must see all of them.
    expect(await requestsCounted(serve.url)).toBe(before + 8)
    expect(await requestsCounted(serve.url)).toBe(before + 8)
  })

  it('resets the journal of every worker', async () => {
    await Promise.all(ids('before-reset', 6).map((id) => chat(serve.url, id)))
    await reset(serve.url)
    expect((await journal(serve.url)).total).toBe(0)
    await chat(serve.url, 'after-reset')
    expect((await journal(serve.url)).entries.map((e) => [e.requestId, e.attempt])).toEqual([['after-reset', 1]])
  })
})

describe('serve --workers 2: limits and capacity are totals', () => {
  const serve = serveForTests(['--workers', '2'], { limits: { rpm: 10 }, capacity: { max_concurrency: 2, queue: 1 } })

  it('admits exactly 10 of 20 quick requests under rpm: 10', async () => {
    // One after another: concurrent ones would meet the capacity limit first.
    const answers: Answer[] = []
    for (const id of ids('rpm', 20)) answers.push(await chat(serve.url, id))
    expect(workersOf(answers)).toEqual(new Set(['1', '2']))
    expect(answers.filter((a) => a.status === 200)).toHaveLength(10)
    expect(answers.filter((a) => a.status === 429)).toHaveLength(10)
  })

  it('sheds all but 3 of 6 slow concurrent requests with max_concurrency 2 and a queue of 1', async () => {
    await putFaults(serve.url, [{ fault: { type: 'delay', duration: '1s' } }])
    const answers = await Promise.all(ids('capacity', 6).map((id) => chat(serve.url, id)))
    expect(workersOf(answers)).toEqual(new Set(['1', '2']))
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3)
    const { entries } = await journal(serve.url)
    expect(entries.filter((e) => e.rule === 'capacity').map((e) => e.faults)).toEqual([
      ['queue-full'],
      ['queue-full'],
      ['queue-full'],
    ])
  })

  it('frees the queue place of a client that leaves while it waits', async () => {
    await putFaults(serve.url, [{ fault: { type: 'delay', duration: '1500ms' } }])
    const holders = [chat(serve.url, 'hold-0'), chat(serve.url, 'hold-1')]
    await until('both slots are taken', async () => (await metricSum(serve.url, 'brownout_in_flight')) >= 2)
    const leaver = request(`${serve.url}/v1/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'x-brownout-request-id': 'leaver' },
    })
    leaver.on('error', () => undefined)
    leaver.end(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }))
    await until('the leaver waits in the queue', async () => (await metricSum(serve.url, 'brownout_queue_depth')) === 1)
    leaver.destroy()
    await until('its place is free', async () => (await metricSum(serve.url, 'brownout_queue_depth')) === 0)
    const next = await chat(serve.url, 'next')
    await Promise.all(holders)
    expect(next.status).toBe(200)
    const { entries } = await journal(serve.url)
    expect(entries.find((e) => e.requestId === 'leaver')?.faults).toEqual(['client-left'])
    expect(entries.find((e) => e.requestId === 'next')?.rule).not.toBe('capacity')
  })
})

describe('serve --workers 2: processes', () => {
  it('stops every worker on SIGTERM and exits 0', async () => {
    const serve = await startServe(['--workers', '2'])
    try {
      expect(serve.workers).toHaveLength(2)
      expect(serve.workers.every(alive)).toBe(true)
      expect(await serve.stop()).toBe(0)
      expect(serve.workers.filter(alive)).toEqual([])
    } finally {
      await serve.stop()
      for (const pid of serve.workers.filter(alive)) process.kill(pid, 'SIGKILL')
    }
  })

  it('reports a worker that dies, stops the others and exits 3', async () => {
    const serve = await startServe(['--workers', '2'])
    try {
      const [victim, other] = serve.workers as [number, number]
      const exited = new Promise<number | null>((resolve) => serve.child.once('exit', (code) => resolve(code)))
      process.kill(victim, 'SIGKILL')
      expect(await exited).toBe(3)
      expect(serve.output()).toMatch(new RegExp(`worker \\d \\(pid ${victim}\\) was killed by SIGKILL`))
      expect(alive(other)).toBe(false)
    } finally {
      await serve.stop()
      for (const pid of serve.workers.filter(alive)) process.kill(pid, 'SIGKILL')
    }
  })

  it('refuses a port in use with one clear message, exit 3 and no worker left', async () => {
    const first = await startServe([])
    try {
      const port = new URL(first.url).port
      const err = await startServe(['--workers', '2', '--port', port]).catch((e: Error) => e)
      expect(String(err)).toMatch(/exited early with 3/)
      expect(String(err)).toContain('cannot listen')
      expect(String(err)).toContain('hint:')
      expect(String(err).match(/brownout: /g)).toHaveLength(1)
    } finally {
      await first.stop()
    }
  })

  it('has its workers exit when the primary is killed', async () => {
    const serve = await startServe(['--workers', '2'])
    try {
      serve.child.kill('SIGKILL')
      await once(serve.child, 'exit')
      const deadline = Date.now() + 10_000
      while (serve.workers.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(serve.workers.filter(alive)).toEqual([])
    } finally {
      for (const pid of serve.workers.filter(alive)) process.kill(pid, 'SIGKILL')
    }
  })

  it('rejects a bad --workers value with usage exit code 2', async () => {
    await expect(startServe(['--workers', 'many'])).rejects.toThrow(/exited early with 2[\s\S]*--workers many/)
  })
})
