import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { cpus } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'

export interface Server {
  url: string
  pid: number
  kill(): Promise<void>
}

/** Starts a server in its own process and waits for the `listening on <url>` line. */
export function spawnServer(command: string, args: string[]): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start`)), 30_000)
    child.stdout?.on('data', (d: Buffer) => {
      const m = /listening on (http:\/\/\S+)/.exec(String(d))
      if (!m?.[1]) return
      clearTimeout(timer)
      resolve({
        url: m[1],
        pid: child.pid ?? 0,
        kill: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done()
            child.once('exit', () => done())
            child.kill('SIGTERM')
          }),
      })
    })
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)))
  })
}

export interface Cannon {
  rps: number
  p50: number
  p99: number
  errors: number
}

/** autocannon against one POST endpoint. */
export async function cannon(
  url: string,
  body: string,
  seconds: number,
  connections: number,
  headers: Record<string, string> = {},
): Promise<Cannon> {
  const r = await autocannon({
    url,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
    connections,
    duration: seconds,
  })
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx }
}

/**
 * CPUs to pin a server under test and its load to (`taskset -c`), so that a throughput is per core: the server on
 * the first, the load on the second. Undefined on a one-CPU machine or without taskset: nothing is pinned.
 */
export const PIN: { server: number; load: number } | undefined =
  cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0 ? { server: 0, load: 1 } : undefined

/** `command args` run on `cpu` (through taskset), or as it is when `cpu` is undefined. */
export function pinned(cpu: number | undefined, command: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [command, args] : ['taskset', ['-c', String(cpu), command, ...args]]
}

/**
 * autocannon in a process of its own on `cpu` (its CLI, JSON out), so that the load takes no CPU from the server:
 * the same measure as `cannon`.
 */
export function cannonOn(
  cpu: number | undefined,
  url: string,
  body: string,
  seconds: number,
  connections: number,
  headers: Record<string, string> = {},
): Promise<Cannon> {
  const bin = join(new URL('..', import.meta.url).pathname, 'node_modules/autocannon/autocannon.js')
  const headerArgs = Object.entries({ 'content-type': 'application/json', ...headers }).flatMap(([k, v]) => [
    '-H',
    `${k}=${v}`,
  ])
  const args = ['-m', 'POST', '-b', body, ...headerArgs, '-c', String(connections), '-d', String(seconds), '-j', url]
  const [command, argv] = pinned(cpu, process.execPath, [bin, ...args])
  return new Promise((resolve, reject) => {
    execFile(command, argv, { maxBuffer: 16 * 2 ** 20 }, (err, stdout) => {
      if (err) return reject(new Error(`autocannon against ${url} failed: ${err.message}`))
      const r = JSON.parse(stdout) as {
        requests: { average: number }
        latency: { p50: number; p99: number }
        errors: number
        non2xx: number
      }
      resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx })
    })
  })
}

/** Resident memory of a process, in MiB (from /proc). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m?.[1] ? Number(m[1]) / 1024 : Number.NaN
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}
