import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent } from 'undici'
import { afterAll, beforeAll } from 'vitest'
import { systemClock } from '../src/clock.js'
import type { ClientRecord } from '../src/load/record.js'
import type { RequestMapping } from '../src/load/request.js'
import type { CancelPlan } from '../src/load/send.js'
import { loadSchema } from '../src/scenario/schema.js'
import { clientExecutor } from '../src/sut/client-mode.js'
import { sutProfileSchema } from '../src/sut/profile.js'
import type { JournalEntry } from '../src/upstream/journal.js'
import { type RunningUpstream, type StartUpstreamOptions, startUpstream } from '../src/upstream/server.js'

/**
 * Something the file's tests share: started before them (`beforeAll`), stopped after them (`afterAll`); `current`
 * throws when read before it started (`what` says which).
 */
export function useForFile<T>(
  what: string,
  start: () => Promise<T>,
  stop: (it: T) => Promise<void>,
): { readonly current: T } {
  const holder: { current?: T } = {}
  beforeAll(async () => {
    holder.current = await start()
  })
  afterAll(async () => {
    if (holder.current !== undefined) await stop(holder.current)
  })
  return {
    get current(): T {
      if (holder.current === undefined) throw new Error(`${what} not started yet`)
      return holder.current
    },
  }
}

/** Starts an upstream on port 0 for the file's tests and closes it afterwards. */
export function useUpstream(options: StartUpstreamOptions = {}): { readonly current: RunningUpstream } {
  return useForFile(
    'upstream',
    () => startUpstream({ port: 0, seed: 42, ...options }),
    (u) => u.close(),
  )
}

/** POSTs JSON (or a raw string) and returns status, headers and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, json, text }
}

/** Starts an upstream for one test, runs `body`, and always closes it. */
export async function withUpstream<T>(
  options: StartUpstreamOptions,
  body: (upstream: RunningUpstream) => Promise<T>,
): Promise<T> {
  const upstream = await startUpstream({ port: 0, seed: 42, ...options })
  try {
    return await body(upstream)
  } finally {
    await upstream.close()
  }
}

export const chatBody = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi [brownout:${id}]` }], ...extra })

export const messagesBody = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    model: 'claude-haiku-4-5',
    max_tokens: 64,
    messages: [{ role: 'user', content: `hi [brownout:${id}]` }],
    ...extra,
  })

/** Resolves with the journal entry for `id` as soon as it is recorded (event-driven, bounded by `timeoutMs`). */
export function journalEntry(upstream: RunningUpstream, id: string, timeoutMs = 5_000): Promise<JournalEntry> {
  const existing = upstream.journal.list({ id }).at(-1)
  if (existing) return Promise.resolve(existing)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(`no journal entry for ${id} within ${timeoutMs} ms`))
    }, timeoutMs)
    const unsubscribe = upstream.journal.subscribe((entry) => {
      if (entry.requestId !== id) return
      clearTimeout(timer)
      unsubscribe()
      resolve(entry)
    })
  })
}

const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname

/** Runs the built CLI to its exit, collecting its output; `onStarted` may signal it meanwhile. */
export async function brownoutCli(
  args: string[],
  onStarted?: (child: ChildProcess) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d) => {
    stdout += d
  })
  child.stderr?.on('data', (d) => {
    stderr += d
  })
  onStarted?.(child)
  const [code] = await once(child, 'exit')
  return { code, stdout, stderr }
}

const tempDirs: string[] = []
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A fresh temporary folder, removed after the test file's tests (so runs leave nothing in /tmp). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}

/**
 * Runs a client-mode program (`node -e script`) once for an OpenAI chat request, as the load would, and returns
 * its record. `gateway`: the headers of a gateway profile in front; `cancel`: when the client gives up.
 */
export async function runClientProgram(
  script: string,
  options: { gateway?: RequestMapping; cancel?: CancelPlan } = {},
): Promise<ClientRecord> {
  const profile = sutProfileSchema.parse({ name: 'program', kind: 'client', command: [process.execPath, '-e', script] })
  const { execute } = clientExecutor(profile, {}, undefined, options.gateway)
  const base = {
    id: 'brn-c-0',
    n: 0,
    api: 'openai.chat' as const,
    model: 'gpt-4o-mini',
    stream: false,
    maxTokens: null,
    phase: 'steady',
    intendedAt: 0,
  }
  const dispatcher = new Agent()
  const ctx = {
    dispatcher,
    clock: systemClock,
    startMs: systemClock.now(),
    timeoutMs: 5_000,
    signal: new AbortController().signal,
    ...(options.cancel ? { cancel: options.cancel } : {}),
  }
  const built = { path: '/v1/chat/completions', headers: {}, body: '{}' }
  try {
    return await execute(ctx, base, loadSchema.parse({}).request, 'http://127.0.0.1:1', built)
  } finally {
    await dispatcher.close()
  }
}
