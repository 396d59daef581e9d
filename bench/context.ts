// What every section of `npm run bench` shares: where things are, the built CLI and driver, the notes and
// results being collected, and small measuring helpers.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { request } from 'undici'
import { pinned, type Server, spawnServer } from './lib.js'

export const root = new URL('..', import.meta.url).pathname
export const CLI = join(root, 'dist/cli/main.js')
// The driver as users run it: the built JavaScript (npm run bench builds first), not TypeScript through tsx.
const fromDist = (file: string) => import(pathToFileURL(join(root, 'dist', file)).href)
const { systemClock } = (await fromDist('clock.js')) as typeof import('../src/clock.js')
const { startLoad } = (await fromDist('load/driver.js')) as typeof import('../src/load/driver.js')
const { loadSchema } = (await fromDist('scenario/schema.js')) as typeof import('../src/scenario/schema.js')
type ClientRecord = import('../src/load/record.js').ClientRecord
type RequestMapping = import('../src/load/request.js').RequestMapping

export const tmp = mkdtempSync(join(tmpdir(), 'brownout-bench-'))
/** Length of each throughput round, in seconds. */
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 4)
/** Everything measured, by section: written to bench/results/<date>.json. */
export const results: Record<string, unknown> = {}
/** The lines of bench/results/<date>.md, printed as they come. */
export const lines: string[] = []
export const note = (line: string) => {
  console.log(line)
  lines.push(line)
}

export const chatBody = JSON.stringify({
  model: 'gpt-4o-mini',
  max_tokens: 32,
  messages: [{ role: 'user', content: 'Say something.' }],
})
/** A fixed request id, so that brownout answers every request with the same bytes as the baseline. */
export const idHeader = { 'x-brownout-request-id': 'bench-fixed' }

/**
 * `brownout serve` in its own process, with an optional upstream config (YAML), more flags (`--workers auto`), and
 * on `cpu` when one is given.
 */
export async function serveWith(config: string | undefined, flags: string[] = [], cpu?: number): Promise<Server> {
  const args = [CLI, 'serve', '--port', '0', ...flags]
  if (config) {
    const file = join(tmp, `cfg-${Math.random().toString(36).slice(2)}.yaml`)
    writeFileSync(file, config)
    args.push('--config', file)
  }
  return spawnServer(...pinned(cpu, process.execPath, args))
}

/**
 * One answer from a running brownout, saved for the baselines to replay: its body (`body.json`) and its headers
 * (`headers.json`: brownout's provider and rate-limit headers, minus those node:http writes itself).
 */
export async function sampleAnswer(url: string): Promise<{ bytesFile: string; headersFile: string }> {
  const sample = await request(`${url}/v1/chat/completions`, { method: 'POST', body: chatBody, headers: idHeader })
  const bytesFile = join(tmp, 'body.json')
  writeFileSync(bytesFile, Buffer.from(await sample.body.arrayBuffer()))
  const headersFile = join(tmp, 'headers.json')
  const skip = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-type'])
  writeFileSync(
    headersFile,
    JSON.stringify(Object.fromEntries(Object.entries(sample.headers).filter(([k]) => !skip.has(k)))),
  )
  return { bytesFile, headersFile }
}

/** Cumulative counts of brownout_timing_error_seconds buckets, by upper bound in ms. */
export async function timingBuckets(url: string): Promise<Array<[number, number]>> {
  const text = await (await request(`${url}/_brownout/metrics`)).body.text()
  return [...text.matchAll(/^brownout_timing_error_seconds_bucket\{le="([^"]+)"[^}]*\} (\d+)$/gm)].map((m) => [
    m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]) * 1000,
    Number(m[2]),
  ])
}

/** The timing-error writes between two readings: how many, the share within 5 ms, the p99 bucket's bound (ms). */
export function timingBetween(
  before: Array<[number, number]>,
  after: Array<[number, number]>,
): { total: number; within5: number; p99: number } {
  const delta = after.map(([le, count], i) => [le, count - (before[i]?.[1] ?? 0)] as [number, number])
  const total = delta[delta.length - 1]?.[1] ?? 0
  const within5 = (delta.find(([le]) => le === 5)?.[1] ?? 0) / Math.max(1, total)
  const p99 = delta.find(([, count]) => count >= total * 0.99)?.[0] ?? Number.POSITIVE_INFINITY
  return { total, within5, p99 }
}

/**
 * brownout's load driver (the built one) for `seconds` against `url`: the open model when the load spec has a
 * rate (evenly spaced arrivals), the closed model otherwise. Resolves when every request has ended.
 */
export function drive(
  spec: Record<string, unknown>,
  seconds: number,
  url: string,
  onRecord: (record: ClientRecord) => void,
  options: { runId?: string; mapping?: RequestMapping } = {},
): Promise<void> {
  const load = loadSchema.parse({ timeout: 10_000, ...spec })
  const schedule = load.rate
    ? Array.from({ length: load.rate * seconds }, (_, i) => (i * 1000) / (load.rate ?? 1))
    : undefined
  return startLoad(
    {
      load,
      seed: 1,
      runId: options.runId ?? 'bench',
      phases: [{ name: 'steady', startMs: 0, endMs: seconds * 1000 }],
      durationMs: seconds * 1000,
      baseUrl: () => url,
      mapping: options.mapping ?? { paths: { 'openai.chat': '/' } },
      clock: systemClock,
      onRecord,
    },
    schedule,
  ).done
}
