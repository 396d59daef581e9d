import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { brownoutCli, tempDir } from '../helpers.js'

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname

/** PIDs of live processes whose command line mentions `needle` (the process table, read from /proc). */
function processesMatching(needle: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ')
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (cmdline.includes(needle) && !/\) Z /.test(stat)) pids.push(Number(entry))
    } catch {}
  }
  return pids
}

const out = () => tempDir('brownout-test-')

describe('the SUT lifecycle', () => {
  it('a SUT that never becomes ready: exit 3, its last log lines, nothing left running', async () => {
    const dir = out()
    const r = await brownoutCli([
      'run',
      fixture('scenarios/short.yaml'),
      '--sut',
      fixture('sut/never-ready.sut.yaml'),
      '--out',
      dir,
    ])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('did not answer')
    expect(r.stderr).toContain('never-ready.mjs: thinking about it')
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(processesMatching('never-ready.mjs')).toEqual([])
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).complete).toBe(false)
  })

  it('a SUT that crashes mid-run: exit 3, partial results kept and marked incomplete', async () => {
    const dir = out()
    const r = await brownoutCli([
      'run',
      fixture('scenarios/short.yaml'),
      '--sut',
      fixture('sut/crash.sut.yaml'),
      '--out',
      dir,
    ])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('exited with code 7 during the run')
    expect(r.stderr).toContain('goodbye, cruel world')
    const meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))
    expect(meta.complete).toBe(false)
    expect(meta.stopReason).toContain('exited with code 7')
    expect(readFileSync(join(dir, 'requests.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThan(0)
    expect(processesMatching('crash.mjs')).toEqual([])
  })

  it('a SUT that ignores SIGTERM is killed after stop_timeout; the run completes', async () => {
    const dir = out()
    const r = await brownoutCli([
      'run',
      fixture('scenarios/short.yaml'),
      '--sut',
      fixture('sut/stubborn.sut.yaml'),
      '--out',
      dir,
    ])
    // It completes, and fails its checks: this SUT answers {"ok":true} to everything.
    expect(r.code).toBe(1)
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).complete).toBe(true)
    expect(readFileSync(join(dir, 'sut.log'), 'utf8')).toContain('SIGTERM ignored')
    expect(processesMatching('stubborn.mjs')).toEqual([])
  })

  it('SIGINT to brownout mid-run stops load and the SUT, writes what was collected, marks it incomplete', async () => {
    const dir = out()
    const r = await brownoutCli(
      ['run', fixture('scenarios/short.yaml'), '--sut', fixture('sut/stubborn.sut.yaml'), '--out', dir],
      (child) => {
        child.stdout?.on('data', (d: Buffer) => {
          if (String(d).includes('▶')) setTimeout(() => child.kill('SIGINT'), 1200)
        })
      },
    )
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('interrupted')
    const meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))
    expect(meta.complete).toBe(false)
    expect(meta.stopReason).toBe('interrupted')
    expect(processesMatching('stubborn.mjs')).toEqual([])
  })

  it('an unwritable --out is refused before anything starts', async () => {
    const r = await brownoutCli(['run', fixture('scenarios/short.yaml'), '--direct', '--out', '/proc/nope'])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('cannot write to --out /proc/nope')
  })

  it('no --target, --sut or --direct is a usage error', async () => {
    const r = await brownoutCli(['run', fixture('scenarios/short.yaml')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('exactly one of --target URL, --sut FILE or --direct')
  })

  it('brownout validate: 0 for good files, 2 with every problem for bad ones', async () => {
    expect((await brownoutCli(['validate', fixture('scenarios/short.yaml')])).code).toBe(0)
    const bad = await brownoutCli(['validate', fixture('scenarios/short.yaml'), fixture('scenarios/err-duration.yaml')])
    expect(bad.code).toBe(2)
    expect(bad.stdout).toContain('short.yaml: ok')
    expect(bad.stderr).toContain('has 2 problems')
  })

  it('brownout schema prints a JSON Schema', async () => {
    const r = await brownoutCli(['schema'])
    const schema = JSON.parse(r.stdout)
    expect(schema.title).toBe('brownout scenario')
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['name', 'upstreams', 'phases', 'load', 'expect']),
    )
  })
})

describe('the runner under faults of its own', () => {
  it('a scenario port already in use: exit 3 with a clear message, nothing left listening', async () => {
    const net = await import('node:net')
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()))
    const port = (blocker.address() as { port: number }).port
    const dir = out()
    const scenario = join(dir, 'busy.yaml')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(
      scenario,
      `name: busy\nupstreams: { primary: { port: ${port} } }\nphases: [ { name: s, duration: 500ms } ]\n`,
    )
    try {
      const r = await brownoutCli(['run', scenario, '--direct'])
      expect(r.code).toBe(3)
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}`)
      expect(r.stderr).toContain('hint: pick another port, or port 0 for a free one')
    } finally {
      blocker.close()
    }
  })
})
