import { readFileSync, writeFileSync } from 'node:fs'
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
