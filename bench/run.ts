// npm run bench: brownout's own performance, every figure a ratio against a baseline measured in the same run.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import net from 'node:net'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { request } from 'undici'
import { cannon, median, quantile, rssMiB, spawnServer } from './lib.js'
import { startWireMock } from './wiremock.js'

const root = new URL('..', import.meta.url).pathname
const CLI = join(root, 'dist/cli/main.js')
// The driver as users run it: the built JavaScript (npm run bench builds first), not TypeScript through tsx.
const fromDist = (file: string) => import(pathToFileURL(join(root, 'dist', file)).href)
const { systemClock } = (await fromDist('clock.js')) as typeof import('../src/clock.js')
const { startLoad } = (await fromDist('load/driver.js')) as typeof import('../src/load/driver.js')
const { loadSchema } = (await fromDist('scenario/schema.js')) as typeof import('../src/scenario/schema.js')
type ClientRecord = import('../src/load/record.js').ClientRecord
type RequestMapping = import('../src/load/request.js').RequestMapping
const tmp = mkdtempSync(join(tmpdir(), 'brownout-bench-'))
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4)
const results: Record<string, unknown> = {}
// The throughput run captures the response bytes the bare server replays; other sections reuse them.
writeFileSync(
  join(tmp, 'body.json'),
  '{"id":"chatcmpl-bench","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}]}',
)
const lines: string[] = []
const note = (line: string) => {
  console.log(line)
  lines.push(line)
}

const chatBody = JSON.stringify({
  model: 'gpt-4o-mini',
  max_tokens: 32,
  messages: [{ role: 'user', content: 'Say something.' }],
})
const idHeader = { 'x-brownout-request-id': 'bench-fixed' }

async function serveWith(config: string | undefined): Promise<Awaited<ReturnType<typeof spawnServer>>> {
  const args = [CLI, 'serve', '--port', '0']
  if (config) {
    const file = join(tmp, `cfg-${Math.random().toString(36).slice(2)}.yaml`)
    writeFileSync(file, config)
    args.push('--config', file)
  }
  return spawnServer(process.execPath, args)
}

async function throughput(): Promise<void> {
  const brownout = await serveWith(undefined)
  const sample = await request(`${brownout.url}/v1/chat/completions`, {
    method: 'POST',
    body: chatBody,
    headers: idHeader,
  })
  const bytesFile = join(tmp, 'body.json')
  writeFileSync(bytesFile, Buffer.from(await sample.body.arrayBuffer()))
  // The same headers too (brownout's provider and rate-limit headers), minus those node:http writes itself.
  const headersFile = join(tmp, 'headers.json')
  const skip = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-type'])
  writeFileSync(
    headersFile,
    JSON.stringify(Object.fromEntries(Object.entries(sample.headers).filter(([k]) => !skip.has(k)))),
  )
  const bare = await spawnServer(process.execPath, [join(root, 'bench/bare-server.mjs'), bytesFile, headersFile])
  await cannon(`${brownout.url}/v1/chat/completions`, chatBody, 1, 50, idHeader)
  await cannon(`${bare.url}/`, chatBody, 1, 50)
  const ratios: number[] = []
  const rows: Array<{ brownout: number; bare: number }> = []
  for (let round = 0; round < 3; round++) {
    const b = await cannon(`${brownout.url}/v1/chat/completions`, chatBody, SECONDS, 50, idHeader)
    const a = await cannon(`${bare.url}/`, chatBody, SECONDS, 50)
    rows.push({ brownout: b.rps, bare: a.rps })
    ratios.push(b.rps / a.rps)
  }
  await brownout.kill()
  await bare.kill()
  const ratio = median(ratios)
  results.serve = { rounds: rows, ratio, target: 0.8, met: ratio >= 0.8 }
  note(
    `serve, non-streaming chat: ${rows.map((r) => `${r.brownout.toFixed(0)} vs ${r.bare.toFixed(0)} req/s`).join('; ')}`,
  )
  note(`  → brownout ÷ bare node:http = ${ratio.toFixed(2)} (target ≥ 0.8): ${ratio >= 0.8 ? 'met' : 'NOT MET'}`)
  await againstWireMock(
    await readFile(bytesFile, 'utf8'),
    JSON.parse(await readFile(headersFile, 'utf8')) as Record<string, string>,
  )
}

/** brownout vs WireMock serving the same bytes, both warmed up (the JVM needs it), interleaved rounds. */
async function againstWireMock(body: string, headers: Record<string, string>): Promise<void> {
  let wiremock: Awaited<ReturnType<typeof startWireMock>>
  try {
    wiremock = await startWireMock(join(tmp, 'wiremock'), '/v1/chat/completions', body, {
      ...headers,
      'content-type': 'application/json',
    })
  } catch (err) {
    results.wiremock = { skipped: String(err) }
    note(`serve vs WireMock: skipped (${String(err)}; it needs java ≥ 11 and the npm registry)`)
    return
  }
  const brownout = await serveWith(undefined)
  const chat = (url: string) => `${url}/v1/chat/completions`
  for (let i = 0; i < 3; i++) await cannon(chat(wiremock.url), chatBody, SECONDS, 50)
  await cannon(chat(brownout.url), chatBody, 1, 50, idHeader)
  const rows: Array<{ brownout: number; wiremock: number }> = []
  for (let round = 0; round < 3; round++) {
    const b = await cannon(chat(brownout.url), chatBody, SECONDS, 50, idHeader)
    const w = await cannon(chat(wiremock.url), chatBody, SECONDS, 50)
    rows.push({ brownout: b.rps, wiremock: w.rps })
  }
  await brownout.kill()
  await wiremock.kill()
  const ratio = median(rows.map((r) => r.brownout / r.wiremock))
  results.wiremock = { rounds: rows, ratio, target: 2, met: ratio >= 2 }
  note(
    `serve vs WireMock (same bytes, warmed up): ${rows.map((r) => `${r.brownout.toFixed(0)} vs ${r.wiremock.toFixed(0)} req/s`).join('; ')}`,
  )
  note(`  → brownout ÷ WireMock = ${ratio.toFixed(2)} (target ≥ 2): ${ratio >= 2 ? 'met' : 'NOT MET'}`)
}

/** Cumulative counts of brownout_timing_error_seconds buckets, by upper bound in ms. */
async function timingBuckets(url: string): Promise<Array<[number, number]>> {
  const text = await (await request(`${url}/_brownout/metrics`)).body.text()
  return [...text.matchAll(/^brownout_timing_error_seconds_bucket\{le="([^"]+)"[^}]*\} (\d+)$/gm)].map((m) => [
    m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]) * 1000,
    Number(m[2]),
  ])
}

/** The timing-error writes between two readings: how many, the share within 5 ms, the p99 bucket's bound (ms). */
function timingBetween(
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
function drive(
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

/** One streaming chat request on a raw socket; calls `onTokens(count, at)` for each read that carried tokens. */
function rawStream(url: string, body: string, onTokens: (count: number, at: number) => void): Promise<void> {
  const { port, hostname } = new URL(url)
  const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(head + body))
    socket.on('data', (d: Buffer) => {
      const at = performance.now()
      const text = d.toString('latin1')
      const tokens = (text.match(/"content":"[^"]/g) ?? []).length
      if (tokens > 0) onTokens(tokens, at)
      if (text.includes('[DONE]')) socket.destroy()
    })
    socket.on('close', () => resolve())
    socket.on('error', () => undefined)
  })
}

/**
 * N streams of 60 tokens at `itl` ms/token, started over 0.5 s after a warm-up, so that all N overlap. The timing
 * error is brownout's own: how late each scheduled token write went out (its Prometheus histogram, before/after
 * difference), plus what a client process on the same machine sees. The client reads raw sockets, so that the
 * CPU it takes from the shared cores is little more than the kernel's.
 */
async function streamingTiming(streams: number, itl: number): Promise<void> {
  const tokens = 60
  const server = await serveWith(
    `latency: { ttft: 0, itl: ${itl}ms }\ncontent: { min_tokens: ${tokens}, max_tokens: ${tokens} }\n`,
  )
  const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] })
  const clientErrors: number[] = []
  const one = (measure: boolean) => {
    let last: number | null = null
    return rawStream(server.url, body, (n, at) => {
      if (measure && last !== null) clientErrors.push(Math.abs(at - last - itl * n) / n)
      last = at
    })
  }
  await Promise.all(Array.from({ length: 200 }, () => one(false)))
  const before = await timingBuckets(server.url)
  await Promise.all(
    Array.from({ length: streams }, (_, i) =>
      new Promise((r) => setTimeout(r, (i * 500) / streams)).then(() => one(true)),
    ),
  )
  const after = await timingBuckets(server.url)
  await server.kill()
  const { total, within5, p99 } = timingBetween(before, after)
  const clientP99 = quantile(clientErrors, 0.99)
  const writesPerSecond = (streams * 1000) / itl
  results[`streaming_${streams}_${itl}ms`] = {
    streams,
    itlMs: itl,
    tokens,
    writes: total,
    peakWritesPerSecond: writesPerSecond,
    within5ms: within5,
    p99UpperMs: p99,
    clientP50ErrorMs: quantile(clientErrors, 0.5),
    clientP99ErrorMs: clientP99,
    target: 5,
    met: p99 <= 5,
  }
  note(
    `streaming, ${streams} overlapping streams at ${itl} ms/token (${1000 / itl} tokens/s each, ~${writesPerSecond.toLocaleString('en')} writes/s at the peak; ${total} scheduled writes):`,
  )
  note(
    `  brownout's timing error: ${(within5 * 100).toFixed(1)} % of writes within 5 ms, p99 ≤ ${p99} ms (target p99 ≤ 5 ms): ${p99 <= 5 ? 'met' : 'NOT MET'}`,
  )
  note(
    `  a client process on the same machine sees inter-token error p50 ${quantile(clientErrors, 0.5).toFixed(2)} ms, p99 ${clientP99.toFixed(2)} ms`,
  )
}

/**
 * A 100 ms delay fault under an open-model load of 2,000 requests/s from brownout's own driver (evenly spaced, as
 * a closed-loop tool's synchronised connections are not): how late the delayed answers went out by brownout's
 * histogram, and the latency the driver saw against the 100 ms asked for.
 */
async function delayAccuracy(): Promise<void> {
  const server = await serveWith('faults: [ { fault: { type: delay, duration: 100ms } } ]\n')
  const rate = 2000
  const seconds = 3
  const run = async (n: number) => {
    const latencies: number[] = []
    await drive(
      { rate, request: { max_tokens: 16 } },
      seconds,
      server.url,
      (r) => {
        if (r.outcome === 'ok') latencies.push(r.latencyMs)
      },
      { runId: `delay${n}`, mapping: {} },
    )
    return latencies
  }
  await run(0)
  const before = await timingBuckets(server.url)
  const latencies = await run(1)
  const after = await timingBuckets(server.url)
  await server.kill()
  const { within5, p99 } = timingBetween(before, after)
  const [p50, c99] = [quantile(latencies, 0.5), quantile(latencies, 0.99)]
  results.delay = {
    configuredMs: 100,
    rate,
    answers: latencies.length,
    within5ms: within5,
    p99UpperMs: p99,
    clientP50: p50,
    clientP99: c99,
    target: 5,
    met: p99 <= 5,
  }
  note(`delay fault 100 ms at ${rate} req/s (open model, ${latencies.length} answers):`)
  note(
    `  brownout's timing error: ${(within5 * 100).toFixed(1)} % of delayed answers within 5 ms, p99 ≤ ${p99} ms (target p99 ≤ 5 ms): ${p99 <= 5 ? 'met' : 'NOT MET'}`,
  )
  note(`  the driver saw latency p50 ${p50.toFixed(1)} ms, p99 ${c99.toFixed(1)} ms (from each intended send time)`)
}

async function driver(): Promise<void> {
  const bytesFile = join(tmp, 'body.json')
  const bare = await spawnServer(process.execPath, [join(root, 'bench/bare-server.mjs'), bytesFile])
  for (const rate of [1000, 5000, 10000]) {
    const seconds = 3
    const sends: number[] = []
    await drive({ rate, max_in_flight: 20_000 }, seconds, bare.url, (r) => {
      if (r.outcome !== 'not-sent') sends.push(r.intendedAt + r.sendLagMs)
    })
    sends.sort((a, b) => a - b)
    const span = (sends[sends.length - 1] ?? 0) - (sends[0] ?? 0)
    const achieved = span > 0 ? ((sends.length - 1) / span) * 1000 : 0
    const error = Math.abs(achieved - rate) / rate
    results[`driver_rate_${rate}`] = {
      target: rate,
      achieved,
      sent: sends.length,
      errorPct: error * 100,
      met: error <= 0.01,
    }
    note(
      `load driver, open model at ${rate}/s: achieved ${achieved.toFixed(0)}/s over ${sends.length} sends (error ${(error * 100).toFixed(2)} %, target ≤ 1 %): ${error <= 0.01 ? 'met' : 'NOT MET'}`,
    )
  }
  // Maximum rate: the closed model with 64 clients against the same bare server as autocannon with 64
  // connections, interleaved A/B rounds; the median ratio.
  const concurrency = 64
  const closedRound = async (): Promise<number> => {
    let count = 0
    await drive({ concurrency }, SECONDS, bare.url, () => {
      count++
    })
    return count / SECONDS
  }
  const rounds: Array<{ driver: number; autocannon: number }> = []
  for (let round = 0; round < 3; round++) {
    const driverRps = await closedRound()
    const ac = await cannon(`${bare.url}/`, chatBody, SECONDS, concurrency)
    rounds.push({ driver: driverRps, autocannon: ac.rps })
  }
  await bare.kill()
  const ratio = median(rounds.map((r) => r.driver / r.autocannon))
  results.driver_max = { rounds, ratio, target: 0.8, met: ratio >= 0.8 }
  note(
    `load driver max rate (${concurrency} clients): ${rounds.map((r) => `${r.driver.toFixed(0)} vs autocannon ${r.autocannon.toFixed(0)}`).join('; ')} req/s`,
  )
  note(`  → driver ÷ autocannon = ${ratio.toFixed(2)} (target ≥ 0.8): ${ratio >= 0.8 ? 'met' : 'NOT MET'}`)
}

function gradingMillion(): void {
  const dir = join(tmp, 'million')
  const script = join(root, 'bench/grade-million.ts')
  execFileSync(process.execPath, ['--import', 'tsx', script, 'write', dir, '500000'], { stdio: 'inherit' })
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, 'grade', dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  })
  const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
    attempts: number
    loadSeconds: number
    gradeSeconds: number
    seconds: number
    loadedRssMiB: number
    peakRssMiB: number
  }
  // The same folder through the real CLI, which also renders every report (HTML charts included).
  const t0 = performance.now()
  execFileSync(process.execPath, [CLI, 'report', dir], { stdio: 'ignore' })
  const cliSeconds = (performance.now() - t0) / 1000
  const met = r.seconds <= 10 && r.peakRssMiB < 1024
  results.grading = { ...r, cliSeconds, targetSeconds: 10, targetMiB: 1024, met }
  note(
    `grading ${r.attempts.toLocaleString('en')} attempts from a saved run: ${r.seconds.toFixed(2)} s (load ${r.loadSeconds.toFixed(2)} s, grade ${r.gradeSeconds.toFixed(2)} s), peak RSS ${r.peakRssMiB.toFixed(0)} MiB (${r.loadedRssMiB.toFixed(0)} MiB once loaded; target: seconds, < 1 GiB): ${met ? 'met' : 'NOT MET'}`,
  )
  note(
    `  \`brownout report\` on that folder (grading plus every report, HTML charts included): ${cliSeconds.toFixed(2)} s`,
  )
}

async function hungConnections(count: number): Promise<void> {
  const server = await serveWith('faults: [ { fault: { type: hang } } ]\n')
  const { port, hostname } = new URL(server.url)
  const idle = rssMiB(server.pid)
  const sockets: net.Socket[] = []
  const body = chatBody
  for (let i = 0; i < count; i++) {
    const s = net.connect(Number(port), hostname)
    s.on('error', () => undefined)
    s.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
    sockets.push(s)
    if (i % 500 === 499) await new Promise((r) => setTimeout(r, 20))
  }
  await new Promise((r) => setTimeout(r, 1500))
  const state = (await (await request(`${server.url}/_brownout/state`)).body.json()) as { inFlight: number }
  const loaded = rssMiB(server.pid)
  for (const s of sockets) s.destroy()
  await server.kill()
  results.hung = {
    connections: count,
    inFlight: state.inFlight,
    rssIdleMiB: idle,
    rssHungMiB: loaded,
    perConnectionKiB: ((loaded - idle) * 1024) / count,
  }
  note(
    `${count.toLocaleString('en')} hung connections: ${state.inFlight} in flight, upstream RSS ${idle.toFixed(0)} → ${loaded.toFixed(0)} MiB (${(((loaded - idle) * 1024) / count).toFixed(1)} KiB each)`,
  )
}

note(`# brownout bench — ${new Date().toISOString().slice(0, 10)}`)
note(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
)
// BENCH_ONLY=serve,streaming,delay,driver,grading,hung runs a subset (its results go to <date>-<subset>.md).
const only = process.env.BENCH_ONLY?.split(',').map((x) => x.trim())
const wanted = (name: string) => !only || only.includes(name)
if (wanted('serve')) await throughput()
if (wanted('streaming')) {
  // Typical model speeds (50 tokens/s) for growing counts of streams, then 2,000 streams at 10 tokens/s.
  for (const n of [100, 500, 2000]) await streamingTiming(n, 20)
  await streamingTiming(2000, 100)
}
if (wanted('delay')) await delayAccuracy()
if (wanted('driver')) await driver()
if (wanted('grading')) gradingMillion()
if (wanted('hung')) await hungConnections(10_000)
mkdirSync(join(root, 'bench/results'), { recursive: true })
const stamp = `${new Date().toISOString().slice(0, 10)}${only ? `-${only.join('-')}` : ''}`
writeFileSync(join(root, `bench/results/${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`)
writeFileSync(join(root, `bench/results/${stamp}.md`), `${lines.join('\n')}\n`)
console.log(`\nwritten to bench/results/${stamp}.md and .json`)
