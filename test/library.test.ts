// The README's "Use as a library" example is the code between the markers, verbatim: the last test keeps them equal.
// README-EXAMPLE-START
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { grade, loadRun, loadSutProfile, runScenario, scenarioSchema, writeReports } from 'brownout'
import { expect, it } from 'vitest'

it('my gateway retries a 503 and the client never sees it', async () => {
  const scenario = scenarioSchema.parse({
    name: 'first-attempt-503',
    upstreams: { primary: { faults: [{ when: { attempt: 1 }, fault: { type: 'error', status: 503 } }] } },
    phases: [{ name: 'steady', duration: '1s' }],
    load: { request: { api: 'openai.chat', max_tokens: 16 }, rate: '5/s', timeout: '10s' },
    expect: { 'client.success_rate': '>= 0.99', 'retries.transient_retried': '>= 0.99' },
  })
  const file = 'examples/gateways/resilient.sut.yaml' // your gateway's SUT profile
  const out = mkdtempSync(join(tmpdir(), 'brownout-'))
  const run = await runScenario({ scenario, sut: { mode: 'sut', file, profile: loadSutProfile(file) }, outDir: out })
  const result = grade(run)
  writeReports(out, [{ result, data: run }]) // result.json, junit.xml, summary.md, report.html
  expect(result.checks.filter((c) => c.failsRun)).toEqual([])
  expect(grade(loadRun(out))).toEqual(result) // a saved run re-grades to the same result
  rmSync(out, { recursive: true })
})
// README-EXAMPLE-END

it('the README shows this example as it is', async () => {
  const { readFileSync } = await import('node:fs')
  const source = readFileSync(new URL(import.meta.url).pathname, 'utf8')
  const example = source.split('// README-EXAMPLE-START\n')[1]?.split('// README-EXAMPLE-END')[0] ?? ''
  const readme = readFileSync(new URL('../README.md', import.meta.url).pathname, 'utf8')
  expect(example.length).toBeGreaterThan(200)
  expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
})
