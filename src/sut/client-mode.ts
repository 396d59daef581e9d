import { spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { dialectOf } from '../dialects/registry.js'
import { roundMs } from '../lag-stats.js'
import type { Executor } from '../load/driver.js'
import type { ClientRecord } from '../load/record.js'
import type { RequestMapping } from '../load/request.js'
import { emptyRecord, onStop } from '../load/send.js'
import { marker } from '../upstream/correlation.js'
import { ProcessSlots } from './process-slots.js'
import { resolveCommand, type SutProfile } from './profile.js'

const OUTPUT_CAP = 64 * 1024

/** The default cap on client processes run at once: two per core (most of a client's life is waiting). */
export function defaultMaxProcesses(): number {
  return 2 * availableParallelism()
}

/** Client mode's executor and the processes it ran. */
export interface ClientMode {
  execute: Executor
  /** The cap on processes at once, and the most that did run at once. */
  processes(): { cap: number; peak: number }
}

/**
 * Client mode: the SUT is a program (an SDK with its own retries) run once per logical request. It gets the
 * upstream's base URL, the request id and the request in its environment, prints the answer's text on stdout and
 * exits 0 on success. Grading then reads the journal (every attempt the SDK made) and the exit status.
 * At most `max_processes` run at once: a request due while all are busy waits for a slot, and the wait is its
 * send lag (brownout's own lag, which can make the run harness-limited), not the client's latency alone.
 */
export function clientExecutor(
  profile: SutProfile,
  values: Record<string, string>,
  profileFile: string | undefined,
  gateway: RequestMapping = {},
): ClientMode {
  const slots = new ProcessSlots(profile.max_processes ?? defaultMaxProcesses())
  const run = runner(profile, values, profileFile, gateway)
  const execute: Executor = async (ctx, base, template, url, built) => {
    const now = () => ctx.clock.now() - ctx.startMs
    if (!(await slots.acquire(ctx.signal))) {
      const record = emptyRecord(base, Math.max(0, now() - base.intendedAt))
      return { ...record, outcome: 'not-sent', error: 'run stopped before a client process slot was free' }
    }
    try {
      return await run(ctx, base, template, url, built)
    } finally {
      slots.release()
    }
  }
  return { execute, processes: () => ({ cap: slots.cap, peak: slots.peak }) }
}

/** Runs the client program once for one request. */
function runner(
  profile: SutProfile,
  values: Record<string, string>,
  profileFile: string | undefined,
  gateway: RequestMapping,
): (...args: Parameters<Executor>) => Promise<ClientRecord> {
  const { argv, cwd, env: profileEnv } = resolveCommand(profile, values, profileFile)
  return (ctx, base, template, url) =>
    new Promise((done) => {
      const now = () => ctx.clock.now() - ctx.startMs
      const record = emptyRecord(base, Math.max(0, now() - base.intendedAt))
      // The SDK gets the upstream's origin in its own form: Gemini's path (/v1beta/models/…) and Azure's
      // (/openai/deployments/…) do not start with /v1/.
      const upstream = new URL(url).origin
      const env: NodeJS.ProcessEnv = {
        ...profileEnv,
        BROWNOUT_API: template.api,
        BROWNOUT_BASE_URL: dialectOf(template.api).client.sdkBaseUrl(upstream),
        BROWNOUT_REQUEST_ID: base.id,
        BROWNOUT_MODEL: profile.models[template.model] ?? template.model,
        BROWNOUT_PROMPT: `${template.prompt} ${marker(base.id)}`,
        BROWNOUT_STREAM: template.stream ? '1' : '0',
        BROWNOUT_MAX_TOKENS: String(template.max_tokens ?? 1024),
        // In front of a gateway: the headers its profile asks of every request (Portkey's x-portkey-config),
        // which the program sends along with its own.
        BROWNOUT_HEADERS: JSON.stringify({ ...gateway.headers, ...gateway.apiHeaders?.[template.api] }),
      }
      const child = spawn(argv[0], argv.slice(1), {
        cwd,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      child.once('spawn', () => {
        record.processStartMs = roundMs(now())
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => {
        if (stdout.length < OUTPUT_CAP) stdout += d.toString()
      })
      child.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-2000)
      })
      let timedOut = false
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL')
        } catch {}
      }
      const timer = setTimeout(() => {
        timedOut = true
        kill()
      }, ctx.timeoutMs)
      // load.cancel: the client gives up, so its program is stopped (by time only: its stream is not seen here).
      let abandonedAt: number | undefined
      const afterMs = ctx.cancel?.afterMs
      const abandonTimer =
        afterMs === undefined
          ? undefined
          : setTimeout(() => {
              abandonedAt = now()
              kill()
            }, afterMs)
      const unlisten = onStop(ctx.signal, kill)
      child.once('error', (err) => {
        record.outcome = 'network-error'
        record.error = `cannot run the client: ${err.message}`
      })
      child.once('close', (code, signal) => {
        clearTimeout(timer)
        if (abandonTimer) clearTimeout(abandonTimer)
        unlisten()
        record.latencyMs = now() - base.intendedAt
        record.bytes = Buffer.byteLength(stdout)
        const lastError = stderr.trim().split('\n').pop() ?? ''
        if (abandonedAt !== undefined && !timedOut && code !== 0) {
          record.outcome = 'abandoned'
          record.abandonedAtMs = abandonedAt
          record.error = `gave up after ${afterMs} ms: the client program was stopped (load.cancel)`
        } else if (timedOut) {
          record.outcome = 'timeout'
          record.error = `client deadline ${ctx.timeoutMs} ms passed (the client process was still running)`
        } else if (code === 0) {
          record.outcome = 'ok'
          record.status = 200
          record.terminal = true
          record.ttftMs = record.latencyMs
          record.text = stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout
        } else if (signal !== null) {
          record.outcome = 'network-error'
          record.error = `client killed by ${signal}: ${lastError}`
        } else if (record.outcome !== 'network-error') {
          // A program that reports the failure and exits non-zero failed cleanly.
          record.outcome = 'http-error'
          record.errorBody = { wellFormed: true, type: `exit ${code}`, contentType: null }
          record.error = lastError.slice(0, 300)
        }
        done(record)
      })
    })
}
