import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { stringify } from 'yaml'
import type { JournalEntry } from '../../src/upstream/journal.js'
import { tempDir } from '../helpers.js'

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname
const START_TIMEOUT_MS = 45_000

export interface ServeProcess {
  child: ChildProcess
  url: string
  /** The workers' pids (from the banner); empty for one process. */
  workers: number[]
  output: () => string
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code once the process has exited. */
  stop: () => Promise<number | null>
}

/** Whether a process with this pid is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Starts the built `brownout serve` with a config block (written to a temp file); resolves once it prints its URL. */
export async function startServe(args: string[], config?: object): Promise<ServeProcess> {
  const extra: string[] = []
  if (config) {
    const file = join(tempDir('brownout-cluster-'), 'upstream.yaml')
    writeFileSync(file, stringify(config))
    extra.push('--config', file)
  }
  const port = args.includes('--port') ? [] : ['--port', '0']
  const child = spawn(process.execPath, [CLI, 'serve', ...port, ...extra, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stderr?.on('data', (d) => {
    out += d
  })
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    const [code] = (await exited) as [number | null]
    clearTimeout(timer)
    return code
  }
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  let url = ''
  let workers: number[] = []
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in time:\n${out}`)), START_TIMEOUT_MS)
    lines.on('line', (line) => {
      out += `${line}\n`
      const m = /listening on (http:\/\/\S+)/.exec(line)
      if (m?.[1]) url = m[1]
      const pids = /\(pids ([\d ]+)\)/.exec(line)
      if (pids?.[1]) workers = pids[1].split(' ').map(Number)
      if (line.startsWith('Press Ctrl-C')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`serve exited early with ${code ?? signal}:\n${out}`))
    })
  })
  try {
    await started
  } catch (err) {
    await stop()
    throw err
  }
  return { child, url, workers, output: () => out, stop }
}

export interface Answer {
  status: number
  /** The x-brownout-worker header: which worker served it. */
  worker: string | undefined
  body: string
}

/** One request on its own connection (no keep-alive), so the cluster hands each to the next worker. */
export function send(
  url: string,
  path: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: options.method ?? (payload ? 'POST' : 'GET'),
        agent: false,
        headers: { connection: 'close', 'content-type': 'application/json', ...options.headers },
        timeout: 15_000,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          body += d
        })
        res.on('end', () => {
          const worker = res.headers['x-brownout-worker']
          resolve({ status: res.statusCode ?? 0, worker: typeof worker === 'string' ? worker : undefined, body })
        })
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer in 15 s`)))
    req.on('error', reject)
    req.end(payload)
  })
}

/** A chat completion request carrying `id`. */
export function chat(url: string, id: string): Promise<Answer> {
  return send(url, '/v1/chat/completions', {
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] },
    headers: { 'x-brownout-request-id': id },
  })
}

/** Every ended attempt in the upstream's journal, as the admin API serves it. */
export async function journal(url: string): Promise<{ total: number; entries: JournalEntry[] }> {
  const answer = await send(url, '/_brownout/journal')
  return JSON.parse(answer.body) as { total: number; entries: JournalEntry[] }
}

/** Replaces the fault rules through the admin API (whichever worker takes the connection). */
export async function putFaults(url: string, faults: object[]): Promise<void> {
  const answer = await send(url, '/_brownout/faults', { method: 'PUT', body: { faults } })
  if (answer.status !== 200) throw new Error(`PUT /faults: ${answer.status} ${answer.body}`)
}

export async function reset(url: string): Promise<void> {
  const answer = await send(url, '/_brownout/reset', { method: 'POST' })
  if (answer.status !== 200) throw new Error(`POST /reset: ${answer.status} ${answer.body}`)
}
