// The load driver: open-model rate accuracy and maximum rate against autocannon, on a bare server.
import { join } from 'node:path'
import { chatBody, drive, note, results, root, SECONDS, tmp } from './context.js'
import { cannon, median, spawnServer } from './lib.js'

/** Open-model rate accuracy at 1,000, 5,000 and 10,000 req/s, then the maximum rate against autocannon. */
export async function driver(): Promise<void> {
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
