// Every core: brownout `serve --workers auto` against WireMock (a JVM, which uses every core too), the same bytes.
import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { chatBody, idHeader, note, results, SECONDS, sampleAnswer, serveWith, tmp } from './context.js'
import { cannon, median, type Server } from './lib.js'
import { startWireMock } from './wiremock.js'

const TARGET = 1.5
const chat = (url: string) => `${url}/v1/chat/completions`

/**
 * brownout on every core (`serve --workers auto`) vs WireMock serving the same bytes, both warmed up (the JVM
 * needs it), 3 interleaved rounds, median ratio; brownout in one process is measured in the same rounds, for
 * what the workers buy. autocannon runs in this process and shares the cores with both servers: on a 2-core box
 * neither server gets a core of its own, and the ratio is as measured under that sharing.
 */
export async function serveOnEveryCore(): Promise<void> {
  const single = await serveWith(undefined)
  const { bytesFile, headersFile } = await sampleAnswer(single.url)
  let wiremock: Server
  try {
    const headers = JSON.parse(await readFile(headersFile, 'utf8')) as Record<string, string>
    wiremock = await startWireMock(join(tmp, 'wiremock'), '/v1/chat/completions', await readFile(bytesFile, 'utf8'), {
      ...headers,
      'content-type': 'application/json',
    })
  } catch (err) {
    await single.kill()
    results.wiremock = { skipped: String(err) }
    note(`serve vs WireMock: skipped (${String(err)}; it needs java ≥ 11 and the npm registry)`)
    return
  }
  const workers = availableParallelism()
  const every = await serveWith(undefined, ['--workers', 'auto'])
  for (let i = 0; i < 3; i++) await cannon(chat(wiremock.url), chatBody, SECONDS, 50)
  await cannon(chat(every.url), chatBody, 1, 50, idHeader)
  await cannon(chat(single.url), chatBody, 1, 50, idHeader)
  const rows: Array<{ everyCore: number; oneProcess: number; wiremock: number }> = []
  for (let round = 0; round < 3; round++) {
    const e = await cannon(chat(every.url), chatBody, SECONDS, 50, idHeader)
    const w = await cannon(chat(wiremock.url), chatBody, SECONDS, 50)
    const s = await cannon(chat(single.url), chatBody, SECONDS, 50, idHeader)
    rows.push({ everyCore: e.rps, oneProcess: s.rps, wiremock: w.rps })
  }
  await Promise.all([every.kill(), single.kill(), wiremock.kill()])
  const ratio = median(rows.map((r) => r.everyCore / r.wiremock))
  const gain = median(rows.map((r) => r.everyCore / r.oneProcess))
  results.wiremock = { workers, rounds: rows, ratio, workersOverOneProcess: gain, target: TARGET, met: ratio >= TARGET }
  note(
    `serve on every core (--workers auto: ${workers}) vs WireMock (same bytes, warmed up; autocannon shares the cores): ${rows.map((r) => `${r.everyCore.toFixed(0)} vs ${r.wiremock.toFixed(0)} req/s (one process ${r.oneProcess.toFixed(0)})`).join('; ')}`,
  )
  note(
    `  → brownout on every core ÷ WireMock = ${ratio.toFixed(2)} (target ≥ ${TARGET}): ${ratio >= TARGET ? 'met' : 'NOT MET'}; every core ÷ one process = ${gain.toFixed(2)}`,
  )
}
