// serve throughput: brownout vs a bare node:http server, the same bytes from each (bench/every-core.ts: vs WireMock).
import { join } from 'node:path'
import { chatBody, idHeader, note, results, root, SECONDS, sampleAnswer, serveWith } from './context.js'
import { cannonOn, median, PIN, pinned, spawnServer } from './lib.js'

/** What the brownout-vs-bare rows aim at: per core, a serve with one worker does 0.6 of a bare node:http server. */
const TARGET = 0.6

/**
 * brownout vs a bare node:http server, per core: each server on the first CPU, autocannon (a process of its own)
 * on the second, so that neither the load nor the other server takes CPU from the one measured.
 */
export async function throughput(): Promise<void> {
  const brownout = await serveWith(undefined, [], PIN?.server)
  const { bytesFile, headersFile } = await sampleAnswer(brownout.url)
  const bareArgs = [join(root, 'bench/bare-server.mjs'), bytesFile, headersFile]
  const bare = await spawnServer(...pinned(PIN?.server, process.execPath, bareArgs))
  const load = PIN?.load
  await cannonOn(load, `${brownout.url}/v1/chat/completions`, chatBody, 1, 50, idHeader)
  await cannonOn(load, `${bare.url}/`, chatBody, 1, 50)
  const ratios: number[] = []
  const rows: Array<{ brownout: number; bare: number }> = []
  for (let round = 0; round < 3; round++) {
    const b = await cannonOn(load, `${brownout.url}/v1/chat/completions`, chatBody, SECONDS, 50, idHeader)
    const a = await cannonOn(load, `${bare.url}/`, chatBody, SECONDS, 50)
    rows.push({ brownout: b.rps, bare: a.rps })
    ratios.push(b.rps / a.rps)
  }
  await brownout.kill()
  await bare.kill()
  const ratio = median(ratios)
  const how = PIN
    ? `pinned: each server on CPU ${PIN.server}, autocannon on CPU ${PIN.load}`
    : 'not pinned: one CPU (or no taskset), servers and autocannon share it'
  results.serve = { rounds: rows, ratio, target: TARGET, met: ratio >= TARGET, pinned: how }
  note(
    `serve, non-streaming chat${PIN ? ', per core' : ''} (${how}): ${rows.map((r) => `${r.brownout.toFixed(0)} vs ${r.bare.toFixed(0)} req/s`).join('; ')}`,
  )
  note(
    `  → brownout ÷ bare node:http = ${ratio.toFixed(2)} (target ≥ ${TARGET}): ${ratio >= TARGET ? 'met' : 'NOT MET'}`,
  )
}
