// What `serve --state redis://…` costs (issue 13): the shared state's arrive() round trips per second against a
// local redis-server, and serve's req/s with the state in Redis against the state in its process (autocannon).
// Run: npx tsc -p tsconfig.build.json && node --import tsx bench/redis-state.ts   (BENCH_SECONDS, default 10)
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { systemClock } from '../src/clock.js'
import { redisState } from '../src/upstream/redis/state.js'
import { localState, type SharedState, type SharedStateFactory } from '../src/upstream/shared-state.js'
import { startRedis } from '../test/redis-server.js'
import { cannon, median, spawnServer } from './lib.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const CLI = join(new URL('..', import.meta.url).pathname, 'dist/cli/main.js')
const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 32, messages: [{ role: 'user', content: 'Hi.' }] })

async function stateOf(factory: SharedStateFactory): Promise<SharedState> {
  const init = { name: 'bench', clock: systemClock, limits: {}, capacity: undefined, rules: [], journalCapacity: 1000 }
  return factory({ ...init, startedAt: systemClock.now() })
}

/** arrive() calls per second with `inFlight` of them outstanding at a time, for `seconds`. */
async function arrivals(state: SharedState, inFlight: number, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000
  let done = 0
  const worker = async (w: number) => {
    for (let i = 0; performance.now() < end; i++) {
      await state.arrive({ requestId: `r-${w}-${i}`, generates: true, tokenCost: 100 })
      done++
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)))
  return done / ((performance.now() - started) / 1000)
}

/** CPU time a process has used (user + system), ms, from /proc. */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) * 10
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const rps = (url: string) => cannon(`${url}/v1/chat/completions`, body, SECONDS, 50)

const redis = await startRedis()
try {
  for (const [name, factory] of [
    ['in process', localState],
    ['Redis', redisState({ url: redis.url, runId: 'bench', ttlMs: 600_000 })],
  ] as const) {
    const state = await stateOf(factory)
    const one = await arrivals(state, 1, 3)
    const many = await arrivals(state, 64, 3)
    console.log(`arrive(), state ${name}: ${fmt(one)}/s one at a time, ${fmt(many)}/s with 64 in flight`)
    await state.close()
  }
  // Both servers up at once, warmed up, then 3 interleaved rounds: the machine's noise hits both alike.
  const local = await spawnServer(process.execPath, [CLI, 'serve', '--port', '0'])
  const shared = await spawnServer(process.execPath, [CLI, 'serve', '--port', '0', '--state', redis.url])
  try {
    const ratios: number[] = []
    for (const server of [local, shared]) await cannon(`${server.url}/v1/chat/completions`, body, 2, 50)
    const cost = { local: [] as number[], shared: [] as number[], redis: [] as number[] }
    for (let round = 1; round <= 3; round++) {
      const before = [cpuMs(local.pid), cpuMs(shared.pid), cpuMs(redis.pid)]
      const a = await rps(local.url)
      const between = [cpuMs(shared.pid), cpuMs(redis.pid)]
      const b = await rps(shared.url)
      ratios.push(b.rps / a.rps)
      // CPU per request (µs), which the machine's noise changes less than req/s.
      const perRequest = (ms: number, r: { rps: number }) => (ms * 1000) / (r.rps * SECONDS)
      cost.local.push(perRequest(cpuMs(local.pid) - (before[0] ?? 0), a))
      cost.shared.push(perRequest(cpuMs(shared.pid) - (between[0] ?? 0), b))
      cost.redis.push(perRequest(cpuMs(redis.pid) - (between[1] ?? 0), b))
      console.log(
        `serve round ${round}: in process ${fmt(a.rps)} req/s (p99 ${a.p99} ms), Redis ${fmt(b.rps)} req/s (p99 ${b.p99} ms), ${a.errors + b.errors} errors`,
      )
    }
    console.log(
      `serve, state in Redis ÷ in process: median ${median(ratios).toFixed(2)} (autocannon, 50 connections, ${SECONDS} s a round)`,
    )
    console.log(
      `CPU per request (median): serve ${fmt(median(cost.local))} µs in process; with Redis, serve ${fmt(median(cost.shared))} µs + redis-server ${fmt(median(cost.redis))} µs`,
    )
  } finally {
    await Promise.all([local.kill(), shared.kill()])
  }
} finally {
  await redis.stop()
}
