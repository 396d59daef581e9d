// Timing: token streams and injected delays, by brownout's own timing-error histogram and as a client sees them.
import net from 'node:net'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { drive, note, results, root, serveWith, timingBetween, timingBuckets } from './context.js'
import { quantile, spawnServer } from './lib.js'

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

/** Warms `url` up with 200 streams, then opens `streams` overlapping ones; the timing readings around them. */
async function overlappingStreams(
  url: string,
  streams: number,
  itl: number,
  readTiming: () => Promise<Array<[number, number]>>,
): Promise<{ before: Array<[number, number]>; after: Array<[number, number]>; clientErrors: number[] }> {
  const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] })
  const clientErrors: number[] = []
  const one = (measure: boolean) => {
    let last: number | null = null
    return rawStream(url, body, (n, at) => {
      if (measure && last !== null) clientErrors.push(Math.abs(at - last - itl * n) / n)
      last = at
    })
  }
  await Promise.all(Array.from({ length: 200 }, () => one(false)))
  const before = await readTiming()
  await Promise.all(
    Array.from({ length: streams }, (_, i) =>
      new Promise((r) => setTimeout(r, (i * 500) / streams)).then(() => one(true)),
    ),
  )
  return { before, after: await readTiming(), clientErrors }
}

/**
 * N streams of 60 tokens at `itl` ms/token, started over 0.5 s after a warm-up, so that all N overlap. The timing
 * error is brownout's own: how late each scheduled token write went out (its Prometheus histogram, before/after
 * difference), plus what a client process on the same machine sees. The client reads raw sockets, so that the
 * CPU it takes from the shared cores is little more than the kernel's.
 */
export async function streamingTiming(streams: number, itl: number, workers?: 'auto'): Promise<void> {
  const tokens = 60
  const server = await serveWith(
    `latency: { ttft: 0, itl: ${itl}ms }\ncontent: { min_tokens: ${tokens}, max_tokens: ${tokens} }\n`,
    workers ? ['--workers', workers] : [],
  )
  const measured = await overlappingStreams(server.url, streams, itl, () => timingBuckets(server.url))
  await server.kill()
  // The baseline, measured the same way in the same run: a bare node:http server writing the same schedule.
  const bare = await spawnServer(process.execPath, [join(root, 'bench/bare-stream-server.mjs'), String(itl), '60'])
  const baseline = await overlappingStreams(
    bare.url,
    streams,
    itl,
    async () => (await (await request(`${bare.url}/timing`)).body.json()) as Array<[number, number]>,
  )
  await bare.kill()
  const { before, after, clientErrors } = measured
  const base = timingBetween(baseline.before, baseline.after)
  const { total, within5, p99 } = timingBetween(before, after)
  const clientP99 = quantile(clientErrors, 0.99)
  const writesPerSecond = (streams * 1000) / itl
  const where = workers ? `serve --workers ${workers} (${availableParallelism()} workers)` : 'serve, one process'
  results[`streaming_${streams}_${itl}ms${workers ? '_every_core' : ''}`] = {
    streams,
    workers: workers ? availableParallelism() : 1,
    itlMs: itl,
    tokens,
    writes: total,
    peakWritesPerSecond: writesPerSecond,
    within5ms: within5,
    p99UpperMs: p99,
    clientP50ErrorMs: quantile(clientErrors, 0.5),
    clientP99ErrorMs: clientP99,
    bareWithin5ms: base.within5,
    bareP99UpperMs: base.p99,
    target: 5,
    met: p99 <= 5,
  }
  note(
    `streaming (${where}), ${streams} overlapping streams at ${itl} ms/token (${1000 / itl} tokens/s each, ~${writesPerSecond.toLocaleString('en')} writes/s at the peak; ${total} scheduled writes):`,
  )
  note(
    `  brownout's timing error: ${(within5 * 100).toFixed(1)} % of writes within 5 ms, p99 ≤ ${p99} ms (target p99 ≤ 5 ms): ${p99 <= 5 ? 'met' : 'NOT MET'}`,
  )
  note(
    `  a bare node:http server writing the same schedule (bench/bare-stream-server.mjs), same client: ${(base.within5 * 100).toFixed(1)} % within 5 ms, p99 ≤ ${base.p99} ms`,
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
export async function delayAccuracy(): Promise<void> {
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
