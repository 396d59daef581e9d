// serve throughput: brownout vs a bare node:http server and vs WireMock, the same bytes from each.
import { writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { request } from 'undici'
import { chatBody, idHeader, note, results, root, SECONDS, serveWith, tmp } from './context.js'
import { cannon, cannonOn, median, PIN, pinned, spawnServer } from './lib.js'
import { startWireMock } from './wiremock.js'

/** What the brownout-vs-bare rows aim at: per core, a serve with one worker does 0.6 of a bare node:http server. */
const TARGET = 0.6

/**
 * brownout vs a bare node:http server, per core: each server on the first CPU, autocannon (a process of its own)
 * on the second, so that neither the load nor the other server takes CPU from the one measured.
 */
export async function throughput(): Promise<void> {
  const brownout = await serveWith(undefined, PIN?.server)
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
