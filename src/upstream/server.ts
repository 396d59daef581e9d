import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Clock, systemClock } from '../clock.js'
import { BrownoutError } from '../errors.js'
import { createAdminApp } from './admin.js'
import { type BodyResult, readBody } from './body.js'
import { type UpstreamConfig, type UpstreamConfigInput, upstreamConfigSchema } from './config.js'
import { AttemptCounter, findRequestId } from './correlation.js'
import { decide } from './decide.js'
import { type Exchange, header, type Provider, type UpstreamRuntime } from './exchange.js'
import { Journal, type JournalEntry } from './journal.js'
import { RateLimiter } from './limits.js'
import type { Plan, PlayResult } from './plan.js'
import { play } from './player.js'
import { promptTokens } from './providers/shared.js'
import { errorPlan } from './replies.js'
import { findRoute } from './router.js'

export interface StartUpstreamOptions extends UpstreamConfigInput {
  /** Name in journals and logs (a scenario's upstream key). */
  name?: string
  /** Seed for content, timing and faults. */
  seed?: number
  clock?: Clock
  /** Share one counter between the upstreams of a run, so a failover is attempt 2 of the same request. */
  attempts?: AttemptCounter
  /** Most journal entries held in memory; older ones are dropped and counted. */
  journalCapacity?: number
}

export interface RunningUpstream {
  name: string
  url: string
  host: string
  port: number
  config: UpstreamConfig
  journal: Journal
  attempts: AttemptCounter
  /** Stops listening, cuts every open connection (including hung ones) and resolves when closed. */
  close(): Promise<void>
}

function parseConfig(options: StartUpstreamOptions): UpstreamConfig {
  const { name: _n, seed: _s, clock: _c, attempts: _a, journalCapacity: _j, ...config } = options
  const parsed = upstreamConfigSchema.safeParse(config)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`)
  throw new BrownoutError('INVALID_CONFIG', `invalid upstream options: ${problems.join('; ')}`, {
    problems,
    hint: 'see `brownout schema` for the upstream block',
  })
}

function guessProvider(req: IncomingMessage, fallback: Provider): Provider {
  if (req.headers['anthropic-version'] !== undefined || req.headers['x-api-key'] !== undefined) return 'anthropic'
  if (req.headers.authorization !== undefined) return 'openai'
  return fallback
}

/** Starts a fake OpenAI- and Anthropic-compatible upstream. Use `port: 0` in tests. */
export async function startUpstream(options: StartUpstreamOptions = {}): Promise<RunningUpstream> {
  const config = parseConfig(options)
  const clock = options.clock ?? systemClock
  const name = options.name ?? 'upstream'
  const runtime: UpstreamRuntime = {
    name,
    seed: options.seed ?? 1,
    clock,
    config,
    limiter: new RateLimiter(config.limits, clock),
  }
  const journal = new Journal(options.journalCapacity)
  const attempts = options.attempts ?? new AttemptCounter()
  const local = new AttemptCounter()
  let seq = 0
  let anonymous = 0
  let inFlight = 0
  const admin = createAdminApp({
    name,
    startedAt: clock.now(),
    clock,
    journal,
    attempts,
    limiter: runtime.limiter,
    inFlight: () => inFlight,
  })

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrivalMs = clock.now()
    const method = req.method ?? 'GET'
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const found = findRoute(method, path)
    const provider = found?.route.provider ?? guessProvider(req, config.provider)
    const body: BodyResult =
      method === 'GET' || method === 'HEAD' ? { kind: 'ok', raw: '' } : await readBody(req, config.max_body_bytes)
    const raw = body.kind === 'ok' ? body.raw : ''
    const idInfo = findRequestId(req.headers, raw) ?? {
      id: `anon-${name}-${++anonymous}`,
      source: 'generated' as const,
    }
    let parsed: unknown
    let jsonError: string | undefined
    if (raw.trim() !== '') {
      try {
        parsed = JSON.parse(raw)
      } catch (err) {
        jsonError = err instanceof Error ? err.message : 'invalid JSON'
      }
    }
    const fields = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>
    const ex: Exchange = {
      upstream: runtime,
      provider,
      method,
      path,
      headers: req.headers,
      body: parsed,
      requestId: idInfo.id,
      attempt: attempts.next(idInfo.id),
      arrivalMs,
      tokenCost:
        promptTokens([fields.messages, fields.input, fields.system]) +
        (typeof fields.max_tokens === 'number' ? fields.max_tokens : config.content.max_tokens),
    }
    const entry: JournalEntry = {
      seq: ++seq,
      upstream: name,
      requestId: idInfo.id,
      idSource: idInfo.source,
      attempt: ex.attempt,
      upstreamAttempt: local.next(idInfo.id),
      receivedAt: arrivalMs,
      method,
      path,
      provider,
      model: typeof fields.model === 'string' ? fields.model : null,
      stream: fields.stream === true,
      status: null,
      errorType: null,
      bytes: 0,
      durationMs: 0,
      firstByteMs: null,
      stainlessRetryCount: Number.isFinite(Number(header(req.headers, 'x-stainless-retry-count')))
        ? Number(header(req.headers, 'x-stainless-retry-count'))
        : null,
      clientDisconnected: false,
      endedBy: 'end',
      rule: null,
      faults: [],
      retryAfterMs: null,
    }
    let plan: Plan
    let result: PlayResult
    try {
      if (body.kind === 'aborted') {
        result = { bytes: 0, firstByteMs: null, endedBy: 'client', clientDisconnected: true }
        plan = { status: 0, headers: {}, headersAtMs: null, steps: [] }
      } else {
        plan = decide(ex, found, body, jsonError)
        result = await play(res, plan, arrivalMs, clock)
      }
    } catch (err) {
      plan = errorPlan(ex, { status: 500, type: 'internal_error', message: `brownout internal error: ${String(err)}` })
      if (!res.headersSent) result = await play(res, plan, clock.now(), clock)
      else {
        res.destroy()
        result = { bytes: 0, firstByteMs: null, endedBy: 'close', clientDisconnected: false }
      }
    }
    entry.status = plan.headersAtMs === null || result.firstByteMs === null || !res.headersSent ? null : plan.status
    entry.errorType = plan.errorType ?? null
    entry.retryAfterMs = plan.retryAfterMs ?? null
    entry.bytes = result.bytes
    entry.firstByteMs = result.firstByteMs
    entry.endedBy = result.endedBy
    entry.clientDisconnected = result.clientDisconnected
    entry.durationMs = clock.now() - arrivalMs
    journal.record(entry)
  }

  const server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    if ((req.url ?? '').startsWith('/_brownout')) {
      admin(req, res)
      return
    }
    inFlight++
    serve(req, res)
      .catch(() => res.destroy())
      .finally(() => {
        inFlight--
      })
  })
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
    else socket.destroy()
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code === 'EADDRINUSE' ? 'PORT_IN_USE' : 'LISTEN_FAILED'
      reject(
        new BrownoutError(code, `upstream "${name}" cannot listen on ${config.host}:${config.port}: ${err.message}`, {
          cause: err,
          hint: code === 'PORT_IN_USE' ? 'pick another port, or port 0 for a free one' : 'check the host and port',
        }),
      )
    })
    server.listen(config.port, config.host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  return {
    name,
    url: `http://${host}:${port}`,
    host: config.host,
    port,
    config,
    journal,
    attempts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
