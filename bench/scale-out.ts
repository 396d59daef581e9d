// Every core: the load driver split over worker processes (`run --workers`) against a single autocannon.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { CLI, chatBody, note, results, root, SECONDS, tmp } from './context.js'
import { cannon, freePort, median, spawnServer } from './lib.js'

/** Runs the CLI to completion; resolves with its exit code (the run's verdict does not matter here). */
function cli(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
    child.once('error', reject)
    child.once('exit', (code) => resolve(code ?? 1))
  })
}

/**
 * The driver on every core: `brownout run --workers auto` (one load worker per core but one) sends an open-model
 * rate far above what the box can answer at the bare server, capped by max_in_flight, so that what it achieves is
 * what the driver sustains; answered requests ÷ seconds, against autocannon with 64 connections on the same server.
 * On a 2-core machine the workers, the main process and the server share the cores with each other.
 */
export async function driverOnEveryCore(): Promise<void> {
  const bytesFile = join(tmp, 'body.json')
  const bare = await spawnServer(process.execPath, [join(root, 'bench/bare-server.mjs'), bytesFile])
  const workers = Math.max(1, availableParallelism() - 1)
  const rate = 40_000
  const scenario = join(tmp, 'driver-workers.yaml')
  writeFileSync(
    scenario,
    [
      'name: bench-driver-workers',
      'upstreams: { primary: {} }',
      `phases: [ { name: steady, duration: ${SECONDS}s } ]`,
      `load: { request: { api: openai.chat, model: gpt-4o-mini }, rate: ${rate}/s, max_in_flight: 64, timeout: 10s }`,
      '',
    ].join('\n'),
  )
  const rounds: Array<{ driver: number; autocannon: number }> = []
  try {
    for (let round = 0; round < 3; round++) rounds.push(await driverRound(round, bare.url, scenario, workers, rate))
  } finally {
    await bare.kill()
  }
  const ratio = median(rounds.map((r) => r.driver / r.autocannon))
  results.driver_workers = { workers, rounds, ratio, target: 1, met: ratio >= 1 }
  note(
    `load driver on every core (run --workers ${workers}, open model, 64 in flight per worker at most): ${rounds.map((r) => `${r.driver.toFixed(0)} vs autocannon ${r.autocannon.toFixed(0)}`).join('; ')} req/s`,
  )
  note(
    `  → driver on every core ÷ one autocannon = ${ratio.toFixed(2)} (target ≥ 1): ${ratio >= 1 ? 'met' : 'NOT MET'}`,
  )
}

/** One round: the driver's answered requests a second, then autocannon's on the same server. */
async function driverRound(
  round: number,
  url: string,
  scenario: string,
  workers: number,
  rate: number,
): Promise<{ driver: number; autocannon: number }> {
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
    String(workers),
    '--max-rate',
    String(rate),
    '--out',
    out,
  ])
  const records = join(out, 'requests.jsonl')
  // Exit 1 is a failed check (the bare server is no LLM); anything else, or no records, is the bench's failure.
  if (code > 1 || !existsSync(records)) throw new Error(`brownout run --workers exited with ${code}, no ${records}`)
  const answered = readFileSync(records, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"outcome":"ok"')).length
  const ac = await cannon(`${url}/`, chatBody, SECONDS, 64)
  return { driver: answered / SECONDS, autocannon: ac.rps }
}
