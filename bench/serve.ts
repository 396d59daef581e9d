// serve throughput: brownout vs a bare node:http server, the same bytes from each (bench/every-core.ts: vs WireMock).
import { join } from 'node:path'
import { chatBody, idHeader, note, results, root, SECONDS, sampleAnswer, serveWith } from './context.js'
import { cannon, median, spawnServer } from './lib.js'

export async function throughput(): Promise<void> {
  const brownout = await serveWith(undefined)
  const { bytesFile, headersFile } = await sampleAnswer(brownout.url)
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
}
