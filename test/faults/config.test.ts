import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { BrownoutError } from '../../src/errors.js'
import { loadUpstreamConfig } from '../../src/upstream/load-config.js'
import { chatBody, postJson } from '../helpers.js'

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname
const fixture = (name: string) => new URL(`../fixtures/upstream/${name}`, import.meta.url).pathname

function problemsOf(file: string): string[] {
  try {
    loadUpstreamConfig(file)
  } catch (err) {
    expect(err).toBeInstanceOf(BrownoutError)
    return (err as BrownoutError).problems
  }
  throw new Error('expected the file to be rejected')
}

describe('upstream config files', () => {
  it('loads a valid file with faults, latency and limits', () => {
    const { config, portGiven } = loadUpstreamConfig(fixture('good.yaml'))
    expect(config.faults).toHaveLength(2)
    expect(config.faults[0]?.name).toBe('fail-first')
    expect(config.limits.rpm).toBe(600)
    expect(portGiven).toBe(false)
  })

  it('lists every problem at once with file:line:col, what is wrong and a hint', () => {
    const problems = problemsOf(fixture('bad.yaml'))
    const file = fixture('bad.yaml')
    expect(problems).toEqual([
      `${file}:1:11: provider: string "opena" is not one of openai, anthropic, google (did you mean "openai"?)`,
      `${file}:2:1: unknown key "latncy" (did you mean "latency"?)`,
      `${file}:5:22: faults.0.when.attempt: string "first" is not allowed here (expected number or array)`,
      `${file}:6:20: faults.0.fault.type: unknown type "eror" (did you mean "error"?)`,
      `${file}:8:37: faults.1.fault.duration.value: "fast" is not a duration; write it like 250ms, 1.5s, 2m or a number of milliseconds`,
      `${file}:9:40: faults.2.fault: unknown key "retry_afer" (did you mean "retry_after"?)`,
    ])
  })

  it('reports YAML syntax errors with their position', () => {
    const [problem] = problemsOf(fixture('syntax.yaml'))
    expect(problem).toMatch(/syntax\.yaml:\d+:\d+: YAML syntax: /)
  })

  it('rejects a during that names a phase serve does not have', () => {
    expect(problemsOf(fixture('phase.yaml'))[0]).toContain(
      'phase.yaml:2:21: faults.0.when.during: "outage" names no phase',
    )
  })
})

describe('brownout serve --config', () => {
  it("serves with the file's fault rules", async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--config', fixture('good.yaml'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const m = /listening on (\S+)/.exec(line)
          if (m?.[1]) resolve(m[1])
        })
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)))
      })
      expect((await postJson(`${url}/v1/chat/completions`, chatBody('cfg-1'))).status).toBe(503)
      expect((await postJson(`${url}/v1/chat/completions`, chatBody('cfg-1'))).status).toBe(200)
      child.kill('SIGTERM')
      expect((await once(child, 'exit'))[0]).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('exits 2 with every problem listed and no stack trace', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--config', fixture('bad.yaml')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const [code] = await once(child, 'exit')
    expect(code).toBe(2)
    expect(stderr).toContain('has 6 problems')
    expect(stderr).toContain('bad.yaml:2:1: unknown key "latncy"')
    expect(stderr).not.toMatch(/\n\s+at /)
  })
})

describe('brownout list faults', () => {
  it('documents every fault and its parameters from the schemas', async () => {
    const child = spawn(process.execPath, [CLI, 'list', 'faults'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
    for (const type of [
      'delay',
      'error',
      'rate-limit',
      'quota',
      'overloaded',
      'reset',
      'close',
      'hang',
      'garbage',
      'malformed',
      'stream-cut',
      'stream-stall',
      'stream-error',
      'stream-malformed',
      'slow',
    ]) {
      expect(stdout).toMatch(new RegExp(`^${type}\\n`, 'm'))
    }
    expect(stdout).toContain('retry_after: duration')
    expect(stdout).toContain('mode: clean|dirty|reset [default: "clean"]')
    // Each fault's declared effect, right under its summary.
    expect(stdout).toMatch(/^quota\n.*\n {2}effect: fatal \(content: none\)\n/m)
    expect(stdout).toMatch(/^reset\n.*\n {2}effect: transient before headers; .* mid-stream \(prefix\)\n/m)
  })
})
