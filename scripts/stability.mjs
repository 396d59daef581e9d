#!/usr/bin/env node
// Are brownout's verdicts stable? Runs the same suite (same scenarios, seeds and SUT) N times and lists every check
// whose verdict changed between runs. With --busy, two CPU burners spin for the whole of every run (a busy machine):
// the verdicts must still not change (a check may say "no evidence" or the run "harness-limited", never flip).
//
//   node scripts/stability.mjs --runs 5 [--busy] [--out DIR] -- <suite flags: --sut FILE --only a,b --fast 0.5 ...>
//
// Prints a markdown report; exits 1 when a verdict flipped between pass and fail. Needs `npm run build` first.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const argv = process.argv.slice(2)
const split = argv.indexOf('--')
const own = split < 0 ? argv : argv.slice(0, split)
const suiteArgs = split < 0 ? [] : argv.slice(split + 1)
const flag = (name, fallback) => {
  const i = own.indexOf(name)
  return i < 0 ? fallback : own[i + 1]
}
const runs = Number(flag('--runs', '5'))
const busy = own.includes('--busy')
const out = flag('--out', join(tmpdir(), `brownout-stability-${process.pid}`))
const main = new URL('../dist/cli/main.js', import.meta.url).pathname

/** Two processes spinning on a core each, stopped by PID. */
function startBurners() {
  const code = 'const end = Date.now() + 3_600_000; while (Date.now() < end) {}'
  return [0, 1].map(() => spawn(process.execPath, ['-e', code], { stdio: 'ignore' }))
}

/** scenario → sut → { verdict of the run, check → verdict } from one suite output folder. */
function verdicts(dir) {
  const table = new Map()
  for (const scenario of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const sut of readdirSync(join(dir, scenario.name), { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const file = join(dir, scenario.name, sut.name, 'result.json')
      if (!existsSync(file)) continue
      const r = JSON.parse(readFileSync(file, 'utf8'))
      const run = r.harnessLimited ? 'harness-limited' : r.passed ? 'pass' : 'fail'
      const checks = Object.fromEntries(r.checks.map((c) => [c.key, c.verdict]))
      table.set(`${scenario.name} / ${sut.name}`, { run, checks })
    }
  }
  return table
}

mkdirSync(out, { recursive: true })
const tables = []
for (let i = 1; i <= runs; i++) {
  const burners = busy ? startBurners() : []
  const dir = join(out, `run-${i}`)
  const started = Date.now()
  const r = spawnSync(process.execPath, [main, 'suite', ...suiteArgs, '--out', dir, '--exit-zero'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  for (const b of burners) b.kill('SIGKILL')
  if (r.status !== 0) {
    console.error(`suite run ${i} exited ${r.status}`)
    process.exit(2)
  }
  tables.push(verdicts(dir))
  console.error(`run ${i}/${runs} done in ${((Date.now() - started) / 1000).toFixed(0)} s`)
}

const keys = [...new Set(tables.flatMap((t) => [...t.keys()]))].sort()
const lines = [
  `# Verdict stability: ${runs} runs${busy ? ', two CPU burners running' : ''}`,
  '',
  `suite ${suiteArgs.join(' ')}; outputs in ${out}`,
  '',
]
let flips = 0
let changes = 0
const rows = []
for (const key of keys) {
  const runVerdicts = tables.map((t) => t.get(key)?.run ?? 'missing')
  if (new Set(runVerdicts).size > 1) {
    rows.push(`| ${key} | (run) | ${runVerdicts.join(' · ')} |`)
    changes++
  }
  const checkKeys = [...new Set(tables.flatMap((t) => Object.keys(t.get(key)?.checks ?? {})))]
  for (const check of checkKeys) {
    const vs = tables.map((t) => t.get(key)?.checks[check] ?? 'missing')
    if (new Set(vs).size <= 1) continue
    changes++
    if (vs.includes('pass') && vs.includes('fail')) flips++
    rows.push(`| ${key} | ${check} | ${vs.join(' · ')} |`)
  }
}
lines.push(
  `${keys.length} scenario runs × ${runs}: ${changes} verdicts changed, ${flips} of them between pass and fail.`,
  '',
)
if (rows.length > 0) lines.push('| scenario / SUT | check | verdicts, run by run |', '|---|---|---|', ...rows)
console.log(lines.join('\n'))
process.exit(flips > 0 ? 1 : 0)
