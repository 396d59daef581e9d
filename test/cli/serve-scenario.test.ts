import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { brownoutCli, chatBody, postJson } from '../helpers.js'

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname
const SCENARIOS = new URL('../../scenarios/', import.meta.url).pathname

const children: ChildProcess[] = []
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    child.kill('SIGKILL')
    await once(child, 'exit')
  }
})

/** Starts `brownout serve …` and resolves its URL once its banner is out (rejects if it exits first). */
function serve(args: string[]): Promise<{ url: string; stdout: string[] }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  const stdout: string[] = []
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    let url: string | undefined
    lines.on('line', (line) => {
      stdout.push(line)
      url ??= /listening on (http:\/\/\S+)/.exec(line)?.[1]
      if (url && line.startsWith('Press Ctrl-C')) resolve({ url, stdout })
    })
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)))
  })
}

describe('brownout serve --scenario', () => {
  it("serves the scenario's only upstream under its name, with its fault rules", async () => {
    const { url, stdout } = await serve(['--scenario', `${SCENARIOS}transient-503.yaml`])
    expect(stdout.join('\n')).toContain('primary of')
    const first = await postJson(`${url}/v1/chat/completions`, chatBody('brn-x-0'))
    const second = await postJson(`${url}/v1/chat/completions`, chatBody('brn-x-0'))
    expect([first.status, second.status]).toEqual([503, 200])
    const journal = (await (await fetch(`${url}/_brownout/journal`)).json()) as {
      entries: Array<{ upstream: string; attempt: number; status: number }>
    }
    expect(journal.entries.map((e) => [e.upstream, e.attempt, e.status])).toEqual([
      ['primary', 1, 503],
      ['primary', 2, 200],
    ])
  })

  it('serves the named upstream of a scenario that has several', async () => {
    const { url } = await serve(['--scenario', `${SCENARIOS}anthropic-529-fallback.yaml`, '--upstream', 'fallback'])
    const health = (await (await fetch(`${url}/_brownout/health`)).json()) as { upstream: string }
    expect(health.upstream).toBe('fallback')
  })

  it("takes `during` rules, whose phases are the scenario's (serve --config has none)", async () => {
    const { url, stdout } = await serve(['--scenario', `${SCENARIOS}flapping-upstream.yaml`])
    expect(stdout.join('\n')).toContain('2 rules from')
    const { faults } = (await (await fetch(`${url}/_brownout/faults`)).json()) as { faults: unknown[] }
    expect(faults).toHaveLength(2)
  })

  it('refuses an unknown upstream name and lists the names there are', async () => {
    const { code, stderr } = await brownoutCli([
      'serve',
      '--scenario',
      `${SCENARIOS}anthropic-529-fallback.yaml`,
      '--upstream',
      'primry',
    ])
    expect(code).toBe(2)
    expect(stderr).toContain('has no upstream "primry"')
    expect(stderr).toContain('did you mean primary?')
    expect(stderr).toContain('primary, fallback')
  })

  it('asks which upstream when the scenario has several and none is named', async () => {
    const { code, stderr } = await brownoutCli(['serve', '--scenario', `${SCENARIOS}anthropic-529-fallback.yaml`])
    expect(code).toBe(2)
    expect(stderr).toContain('--upstream primary or --upstream fallback')
  })

  it('refuses --upstream without --scenario', async () => {
    const { code, stderr } = await brownoutCli(['serve', '--upstream', 'primary'])
    expect(code).toBe(2)
    expect(stderr).toContain('no --scenario was given')
  })
})
