// Every core: the load driver split over worker processes (`run --workers`) against a single autocannon.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { CLI, chatBody, note, results, root, SECONDS, tmp } from './context.js'
import { cannon, freePort, spawnServer } from './lib.js'

/** A rate is sustained when at least this share of its scheduled requests were sent and answered. */
const SUSTAINED = 0.99
/** The rates tried, as shares of what autocannon reached on the same server. */
const SHARES = [0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.2]

/** Runs the CLI to completion; resolves with its exit code (the run's verdict does not matter here). */
function cli(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
    child.once('error', reject)
    child.once('exit', (code) => resolve(code ?? 1))
  })
}

/**
 * The driver on every core: the highest open-model rate `brownout run --workers auto` (one load worker per core but
 * one, the main process collecting) sustains against the bare server — at least 99 % of the scheduled requests sent
 * and answered — against what autocannon with 64 connections reaches on the same server (measured before and after
 * the sweep), rates tried from low to high until one is not sustained. An open model's rate, not a closed loop's:
 * that is how brownout loads a gateway. On a 2-core machine `auto` is one worker, which is the run's own process (no
 * worker processes), and it shares the cores with the server.
 */
export async function driverOnEveryCore(): Promise<void> {
  const bytesFile = join(tmp, 'body.json')
  const bare = await spawnServer(process.execPath, [join(root, 'bench/bare-server.mjs'), bytesFile])
  const workers = Math.max(1, availableParallelism() - 1)
  const tried: Array<{ rate: number; answered: number; scheduled: number; sustained: boolean }> = []
  let autocannon: number
  try {
    await cannon(`${bare.url}/`, chatBody, 1, 64)
    const before = (await cannon(`${bare.url}/`, chatBody, SECONDS, 64)).rps
    for (const share of SHARES) {
      const rate = Math.round((before * share) / 100) * 100
      const answered = await driverRound(tried.length, bare.url, rate)
      const scheduled = rate * SECONDS
      tried.push({ rate, answered, scheduled, sustained: answered >= scheduled * SUSTAINED })
      if (answered < scheduled * SUSTAINED) break
    }
    const after = (await cannon(`${bare.url}/`, chatBody, SECONDS, 64)).rps
    autocannon = (before + after) / 2
  } finally {
    await bare.kill()
  }
  const best = Math.max(0, ...tried.filter((t) => t.sustained).map((t) => t.rate))
  const ratio = best / autocannon
  results.driver_workers = { workers, tried, autocannon, sustainedRate: best, ratio, target: 1, met: ratio >= 1 }
  note(
    `load driver on every core (run --workers auto: ${workers > 1 ? `${workers} load workers and the main process` : "one load worker, which is the run's own process"}; open model, the highest rate with ≥ 99 % answered): ${tried.map((t) => `${t.rate}/s → ${((t.answered / t.scheduled) * 100).toFixed(1)} %`).join(', ')}; autocannon (64 connections) ${autocannon.toFixed(0)} req/s`,
  )
  note(
    `  → driver on every core ÷ one autocannon = ${ratio.toFixed(2)} (${best}/s sustained; target ≥ 1): ${ratio >= 1 ? 'met' : 'NOT MET'}`,
  )
}

/** One run of `rate` requests/s for SECONDS through `run --workers auto`: how many were answered (ok). */
async function driverRound(round: number, url: string, rate: number): Promise<number> {
  const scenario = join(tmp, `driver-workers-${round}.yaml`)
  writeFileSync(
    scenario,
    [
      'name: bench-driver-workers',
      'upstreams: { primary: {} }',
      `phases: [ { name: steady, duration: ${SECONDS}s } ]`,
      `load: { request: { api: openai.chat, model: gpt-4o-mini }, rate: ${rate}/s, max_in_flight: 1000, timeout: 10s }`,
      '',
    ].join('\n'),
  )
  const out = join(tmp, `driver-workers-${round}`)
  const code = await cli([
    'run',
    scenario,
    '--target',
    url,
    // The scenario's upstream is never reached (the bare server answers), but a run through a target needs its port.
    '--upstream-port',
    `primary=${await freePort()}`,
    '--workers',
    'auto',
    '--max-rate',
    String(rate),
    '--out',
    out,
  ])
  const records = join(out, 'requests.jsonl')
  // Exit 1 is a failed check (the bare server is no LLM); anything else, or no records, is the bench's failure.
  if (code > 1 || !existsSync(records)) throw new Error(`brownout run --workers exited with ${code}, no ${records}`)
  return readFileSync(records, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"outcome":"ok"')).length
}
