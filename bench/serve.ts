// serve throughput: brownout vs a bare node:http server and vs WireMock, the same bytes from each.
import { writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { request } from 'undici'
import { chatBody, idHeader, note, results, root, SECONDS, serveWith, tmp } from './context.js'
import { cannon, median, spawnServer } from './lib.js'
import { startWireMock } from './wiremock.js'

export async function throughput(): Promise<void> {
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
