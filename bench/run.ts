// npm run bench: brownout's own performance, every figure a ratio against a baseline measured in the same run.
// BENCH_ONLY=serve,every-core,streaming,streaming-every-core,delay,driver,driver-workers,grading,live,hung runs a subset (its results go to <date>-<subset>.md).
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { lines, note, results, root, tmp } from './context.js'
import { driver } from './driver.js'
import { serveOnEveryCore } from './every-core.js'
import { gradingMillion, hungConnections, liveRun } from './memory.js'
import { driverOnEveryCore } from './scale-out.js'
import { throughput } from './serve.js'
import { delayAccuracy, streamingTiming } from './streaming.js'

// The throughput run captures the response bytes the bare server replays; other sections reuse them.
writeFileSync(
  join(tmp, 'body.json'),
  '{"id":"chatcmpl-bench","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}]}',
)
note(`# brownout bench — ${new Date().toISOString().slice(0, 10)}`)
note(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
)
const only = process.env.BENCH_ONLY?.split(',').map((x) => x.trim())
const wanted = (name: string) => !only || only.includes(name)
if (wanted('serve')) await throughput()
if (wanted('every-core')) await serveOnEveryCore()
if (wanted('streaming')) {
  // Typical model speeds (50 tokens/s) for growing counts of streams, then 2,000 streams at 10 tokens/s.
  for (const n of [100, 500, 2000]) await streamingTiming(n, 20)
  await streamingTiming(2000, 100)
}
// The 2,000 streams at 50 tokens/s again, with the upstream on every core.
if (wanted('streaming-every-core')) await streamingTiming(2000, 20, 'auto')
if (wanted('delay')) await delayAccuracy()
if (wanted('driver')) await driver()
if (wanted('driver-workers')) await driverOnEveryCore()
if (wanted('grading')) gradingMillion()
if (wanted('live')) liveRun()
if (wanted('hung')) await hungConnections(10_000)
mkdirSync(join(root, 'bench/results'), { recursive: true })
const stamp = `${new Date().toISOString().slice(0, 10)}${only ? `-${only.join('-')}` : ''}`
writeFileSync(join(root, `bench/results/${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`)
writeFileSync(join(root, `bench/results/${stamp}.md`), `${lines.join('\n')}\n`)
console.log(`\nwritten to bench/results/${stamp}.md and .json`)
