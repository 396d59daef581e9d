import express, { type Request, type Response } from 'express'
import type { Clock } from '../clock.js'
import type { AttemptCounter } from './correlation.js'
import type { Journal, JournalQuery } from './journal.js'
import type { RateLimiter } from './limits.js'

export interface AdminContext {
  name: string
  startedAt: number
  clock: Clock
  journal: Journal
  attempts: AttemptCounter
  limiter: RateLimiter
  inFlight: () => number
}

function journalQuery(req: Request): JournalQuery {
  const query: JournalQuery = {}
  if (typeof req.query.id === 'string') query.id = req.query.id
  if (typeof req.query.since === 'string' && Number.isFinite(Number(req.query.since)))
    query.since = Number(req.query.since)
  return query
}

function adminError(res: Response, status: number, message: string): void {
  res.status(status).json({ error: { message, type: 'brownout_admin_error' } })
}

/** The runtime control API under /_brownout/ (Toxiproxy-style): health, journal, state, reset. */
export function createAdminApp(ctx: AdminContext): express.Express {
  const app = express()
  app.disable('x-powered-by')
  app.use(express.json({ limit: '1mb' }))
  const r = express.Router()

  r.get('/health', (_req, res) => {
    res.json({
      status: 'ok',
      upstream: ctx.name,
      uptimeMs: Math.round(ctx.clock.now() - ctx.startedAt),
      requests: ctx.journal.total,
    })
  })

  r.get('/journal', (req, res) => {
    const entries = ctx.journal.list(journalQuery(req))
    const wantsLines =
      req.query.format === 'jsonl' ||
      req.accepts(['application/json', 'application/x-ndjson']) === 'application/x-ndjson'
    if (wantsLines) {
      res.type('application/x-ndjson').send(entries.map((e) => `${JSON.stringify(e)}\n`).join(''))
      return
    }
    res.json({ upstream: ctx.name, total: ctx.journal.total, dropped: ctx.journal.dropped, entries })
  })

  r.get('/state', (_req, res) => {
    res.json({
      upstream: ctx.name,
      inFlight: ctx.inFlight(),
      limits: ctx.limiter.snapshot(),
      journal: { size: ctx.journal.size, total: ctx.journal.total, dropped: ctx.journal.dropped },
    })
  })

  r.post('/reset', (_req, res) => {
    ctx.journal.clear()
    ctx.attempts.clear()
    ctx.limiter.reset()
    res.json({ status: 'reset' })
  })

  app.use('/_brownout', r)
  app.use((req, res) =>
    adminError(
      res,
      404,
      `No admin endpoint ${req.method} ${req.path}. See GET /_brownout/health, /journal, /state, POST /reset.`,
    ),
  )
  app.use((err: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    const status =
      typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500
    adminError(res, status, err instanceof Error ? err.message : 'admin request failed')
  })
  return app
}
