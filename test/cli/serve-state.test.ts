import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { stateFromArgs } from '../../src/cli/state-option.js'
import type { JournalEntry } from '../../src/upstream/journal.js'
import { brownoutCli, chatBody, postJson } from '../helpers.js'
import { startRedis, useRedis } from '../redis.js'
import { startServe } from '../serve-process.js'

const redis = useRedis()

/** Stops a child by its PID: SIGTERM, then SIGKILL if it has not exited within 5 s; resolves with its exit code. */
async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  const [code] = await exited
  clearTimeout(timer)
  return code as number | null
}

/** Runs the CLI to its exit, killing it if it has not exited within 15 s. */
function cliWithin(args: string[]) {
  let timer: NodeJS.Timeout | undefined
  return brownoutCli(args, (child) => {
    timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  }).finally(() => clearTimeout(timer))
}

describe('brownout serve --state', () => {
  it('makes two serve processes on one Redis act as one upstream', async () => {
    const args = ['--port', '0', '--state', redis.current.url, '--run-id', 'cli']
    const a = startServe(args)
    const b = startServe(args)
    try {
      const [urlA, urlB] = await Promise.all([a.url, b.url])
      await postJson(`${urlA}/v1/chat/completions`, chatBody('cli-1'))
      await postJson(`${urlB}/v1/chat/completions`, chatBody('cli-1'))
      // B journals its attempt after its answer went out, and sends it to Redis in a batch: read until it is there
      // (bounded), as a run's end does.
      let entries: JournalEntry[] = []
      for (let i = 0; i < 50 && entries.length < 2; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 20))
        entries = ((await (await fetch(`${urlA}/_brownout/journal?id=cli-1`)).json()) as { entries: JournalEntry[] })
          .entries
      }
      expect(entries.map((e) => [e.seq, e.attempt])).toEqual([
        [1, 1],
        [2, 2],
      ])
      expect(await stop(a.child)).toBe(0)
      expect(await stop(b.child)).toBe(0)
    } finally {
      await Promise.all([stop(a.child), stop(b.child)])
    }
  })

  it('exits with a clear error naming the URL when Redis cannot be reached', async () => {
    const gone = await startRedis()
    await gone.stop()
    const res = await cliWithin(['serve', '--port', '0', '--state', gone.url])
    expect(res.code).toBe(3)
    expect(res.stderr).toContain(`cannot reach Redis at ${gone.url}`)
    expect(res.stderr).toContain('hint: start one (`redis-server')
    expect(res.stdout).not.toContain('listening')
  })

  it('refuses --run-id without --state, and a URL that is not redis://', async () => {
    const stray = await cliWithin(['serve', '--port', '0', '--run-id', 'x'])
    expect(stray.code).toBe(2)
    expect(stray.stderr).toContain('--run-id needs --state')
    const http = await cliWithin(['serve', '--port', '0', '--state', 'http://127.0.0.1:6379'])
    expect(http.code).toBe(2)
    expect(http.stderr).toContain('is not a Redis URL')
  })
})

describe('the --state flags', () => {
  const args = { state: 'redis://127.0.0.1:6379', 'run-id': undefined, 'state-ttl': undefined }

  it('default to run "default" and keys that expire 24h after their last write', () => {
    expect(stateFromArgs(args)?.describe).toBe(
      'redis://127.0.0.1:6379, run "default" (keys expire 24h after their last write)',
    )
    expect(stateFromArgs({ state: undefined, 'run-id': undefined, 'state-ttl': undefined })).toBeUndefined()
  })

  it('refuse a TTL that is not a duration of 1s or more, and a run id with braces', () => {
    expect(() => stateFromArgs({ ...args, 'state-ttl': '0' })).toThrow(
      '--state-ttl "0": expected a duration of 1s or more',
    )
    expect(() => stateFromArgs({ ...args, 'state-ttl': 'a day' })).toThrow('--state-ttl "a day"')
    expect(() => stateFromArgs({ ...args, 'run-id': 'a{b}' })).toThrow('run id "a{b}"')
  })

  it('hide the password of a URL it prints', () => {
    expect(stateFromArgs({ ...args, state: 'redis://:s3cret@10.0.0.5:6379/2' })?.describe).toContain(
      'redis://:***@10.0.0.5:6379/2',
    )
  })
})
