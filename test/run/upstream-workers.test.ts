import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { JournalEntry } from '../../src/upstream/journal.js'
import { brownoutCli, tempDir } from '../helpers.js'

// Slow enough answers that the load holds several connections (the cluster hands each to the next worker); an
// every-5 rule and an rpm limit, which only one shared state counts right.
const SCENARIO = `
name: cluster-run
seed: 7
upstreams:
  primary:
    limits: { rpm: 20 }
    latency: { ttft: { dist: fixed, value: 150 } }
    faults:
      - { when: { every: 5 }, fault: { type: error, status: 500 } }
phases: [ { name: steady, duration: 2s } ]
load: { request: { api: openai.chat, model: gpt-4o-mini, max_tokens: 16 }, rate: 20/s, timeout: 10s }
`

async function run(dir: string, file: string, extra: string[]) {
  const out = join(dir, extra.length > 0 ? 'clustered' : 'single')
  const { code, stderr } = await brownoutCli(['run', file, '--direct', '--out', out, ...extra])
  const journal = readFileSync(join(out, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JournalEntry)
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
    passed: boolean
    checks: Array<{ key: string; verdict: string; value: unknown }>
  }
  return { code, stderr, journal, result }
}

describe('run --upstream-workers 2', () => {
  it('journals and grades the run as one process does', async () => {
    const dir = tempDir('brownout-upstream-workers-')
    const file = join(dir, 'scenario.yaml')
    writeFileSync(file, SCENARIO)
    const single = await run(dir, file, [])
    const clustered = await run(dir, file, ['--upstream-workers', '2'])
    expect(clustered.stderr).not.toContain('brownout:')
    expect(clustered.code).toBe(single.code)
    // Which request arrives first of two sent a moment apart may differ between runs; what the nth arrival got may not.
    const bySeq = (j: JournalEntry[]) =>
      [...j].sort((a, b) => a.seq - b.seq).map((e) => [e.seq, e.attempt, e.status, e.rule])
    const ids = (j: JournalEntry[]) => j.map((e) => e.requestId).sort()
    expect(clustered.journal).toHaveLength(40)
    expect(ids(clustered.journal)).toEqual(ids(single.journal))
    expect(bySeq(clustered.journal)).toEqual(bySeq(single.journal))
    expect(clustered.journal.filter((e) => e.status === 500).map((e) => e.seq % 5)).toEqual([0, 0, 0, 0, 0, 0, 0, 0])
    expect(clustered.journal.filter((e) => e.status === 200).length).toBeLessThanOrEqual(20)
    const verdicts = (r: typeof single.result) => r.checks.map((c) => [c.key, c.verdict, c.value])
    expect(verdicts(clustered.result)).toEqual(verdicts(single.result))
  }, 60_000)
})

/** The pids of `parent`'s child processes whose command line mentions `what` (from /proc). */
function childrenOf(parent: number, what: string): number[] {
  const found: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === parent && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(what)) found.push(Number(name))
    } catch {
      // gone meanwhile
    }
  }
  return found
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('run --upstream-workers: a worker that dies', () => {
  it('stops the run as brownout’s failure (exit 3), not the SUT’s, and leaves no worker running', async () => {
    const dir = tempDir('brownout-upstream-worker-dies-')
    const file = join(dir, 'scenario.yaml')
    writeFileSync(file, SCENARIO.replace('duration: 2s', 'duration: 30s'))
    const out = join(dir, 'out')
    let workers: number[] = []
    const done = brownoutCli(['run', file, '--direct', '--out', out, '--upstream-workers', '2'], (child) => {
      void (async () => {
        await until('both upstream workers run', () => childrenOf(child.pid ?? 0, 'cluster/worker').length === 2)
        workers = childrenOf(child.pid ?? 0, 'cluster/worker')
        const journal = join(out, 'journal.jsonl')
        await until('the load is journaled', () => existsSync(journal) && statSync(journal).size > 0)
        process.kill(workers[0] ?? 0, 'SIGKILL')
      })()
    })
    const { code, stderr } = await done
    expect(code).toBe(3)
    expect(stderr).toMatch(/brownout's upstream worker \d \(pid \d+\) was killed by SIGKILL; partial results kept/)
    expect(stderr).not.toContain('SUT')
    expect(workers).toHaveLength(2)
    expect(
      workers.filter(
        (pid) =>
          existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cluster/worker'),
      ),
    ).toEqual([])
  }, 90_000)
})
