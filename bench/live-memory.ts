// A live run's memory and grading it from disk, each in a process of its own: `brownout run --direct` of N
// requests at an open rate, then `brownout report` on its folder. Peak resident memory comes from the kernel
// (bench/peak-rss.mjs, preloaded); bytes per request are the peak above an idle run's.
//   node --import tsx bench/live-memory.ts <requests> [rate]     (the built dist/, as users run it)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const CLI = join(root, 'dist/cli/main.js')
const PRELOAD = join(root, 'bench/peak-rss.mjs')

export interface PeakMemory {
  peakRssMiB: number
  peakHeapUsedMiB: number
  peakHeapTotalMiB: number
  peakExternalMiB: number
  seconds: number
}

/** One brownout command in a process of its own, with its peak memory. Its output is discarded. */
function measured(args: string[], dir: string): PeakMemory {
  const file = join(dir, `peak-${Math.random().toString(36).slice(2)}.json`)
  const t0 = performance.now()
  try {
    execFileSync(process.execPath, ['--import', PRELOAD, CLI, ...args], {
      stdio: 'ignore',
      env: { ...process.env, BROWNOUT_PEAK_FILE: file },
      timeout: 20 * 60_000,
    })
  } catch (err) {
    // Exit 1 (a check failed) or 4 (brownout could not keep up) still measured the run; anything else did not.
    const status = (err as { status?: number }).status
    if (status !== 1 && status !== 4) throw err
  }
  const seconds = (performance.now() - t0) / 1000
  return { ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<PeakMemory, 'seconds'>), seconds }
}

/** The scenario: one upstream, non-streaming chat completions at `rate`/s for as long as `requests` take. */
function scenarioYaml(requests: number, rate: number): string {
  const ms = Math.ceil((requests / rate) * 1000)
  return [
    'name: live-memory',
    'upstreams:',
    '  primary: {}',
    'load:',
    '  request: { api: openai.chat, model: gpt-4o-mini, max_tokens: 16 }',
    `  rate: ${rate}`,
    `  requests: ${requests}`,
    '  timeout: 10000',
    'phases:',
    `  - { name: steady, duration: ${ms}ms }`,
    '',
  ].join('\n')
}

export interface LiveMemory {
  requests: number
  rate: number
  idle: PeakMemory
  live: PeakMemory
  report: PeakMemory
  liveBytesPerRequest: number
  reportBytesPerRequest: number
  /** Peak RSS at 1,000,000 requests, extrapolated linearly from the idle run and this one. */
  liveMillionMiB: number
  reportMillionMiB: number
}

/** Runs `requests` live and grades them from disk; an idle run of 100 requests is the baseline. */
export function liveMemory(requests: number, rate: number): LiveMemory {
  const dir = mkdtempSync(join(tmpdir(), 'brownout-live-memory-'))
  try {
    const runOnce = (n: number, out: string) => {
      const file = join(dir, `scenario-${n}.yaml`)
      writeFileSync(file, scenarioYaml(n, rate))
      return measured(['run', file, '--direct', '--out', join(dir, out)], dir)
    }
    const idle = runOnce(100, 'idle')
    const live = runOnce(requests, 'run')
    const idleReport = measured(['report', join(dir, 'idle')], dir)
    const report = measured(['report', join(dir, 'run')], dir)
    const perRequest = (peak: number, base: number) => ((peak - base) * 2 ** 20) / requests
    const liveBytesPerRequest = perRequest(live.peakRssMiB, idle.peakRssMiB)
    const reportBytesPerRequest = perRequest(report.peakRssMiB, idleReport.peakRssMiB)
    return {
      requests,
      rate,
      idle,
      live,
      report,
      liveBytesPerRequest,
      reportBytesPerRequest,
      liveMillionMiB: idle.peakRssMiB + (liveBytesPerRequest * 1e6) / 2 ** 20,
      reportMillionMiB: idleReport.peakRssMiB + (reportBytesPerRequest * 1e6) / 2 ** 20,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1]?.endsWith('live-memory.ts')) {
  const [requests = 20_000, rate = 2000] = process.argv.slice(2).map(Number)
  console.log(JSON.stringify(liveMemory(requests, rate)))
}
