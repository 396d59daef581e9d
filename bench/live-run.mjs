// A live `brownout run` (the built one, --direct) of `rate` requests/s for `seconds`, in a process of its own:
// prints how many requests it held and the process's peak resident memory, as JSON.
import { runScenario } from '../dist/run/run.js'
import { scenarioSchema } from '../dist/scenario/schema.js'

const [rate = 2000, seconds = 15] = process.argv.slice(2).map(Number)
const scenario = scenarioSchema.parse({
  name: 'live-memory',
  upstreams: { primary: {} },
  load: { request: { api: 'openai.chat', model: 'gpt-4o-mini', max_tokens: 16 }, rate, timeout: 10_000 },
  phases: [{ name: 'steady', duration: seconds * 1000 }],
})
const before = process.memoryUsage().rss
const result = await runScenario({ scenario, sut: { mode: 'direct' } })
console.log(
  JSON.stringify({
    requests: result.records.length,
    attempts: result.journal.length,
    rssBeforeMiB: before / 2 ** 20,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
)
