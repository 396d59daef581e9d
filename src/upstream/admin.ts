import express, { type Request, type Response } from 'express'
import { issueLines } from '../config/problems.js'
import { type Rule, rulesSchema, unknownPhases } from '../faults/rules.js'
import type { PhaseWindow } from '../record/phase.js'
import { resetState, type UpstreamState } from './handle.js'
import type { JournalQuery } from './journal.js'

export interface AdminContext {
  state: UpstreamState
  initialRules: Rule[]
  phases: PhaseWindow[]
}

function journalQuery(req: Request): JournalQuery {
  const query: JournalQuery = {}
  if (typeof req.query.id === 'string') query.id = req.query.id
  if (typeof req.query.since === 'string' && Number.isFinite(Number(req.query.since)))
    query.since = Number(req.query.since)
  return query
}

function adminError(res: Response, status: number, message: string, problems: string[] = []): void {
  res.status(status).json({ error: { message, type: 'brownout_admin_error', problems } })
}

/** The runtime control API under /_brownout/ (Toxiproxy-style). */
export function createAdminApp(ctx: AdminContext): express.Express {
  const { state } = ctx
  const { journal, runtime } = state
  const app = express()
  app.disable('x-powered-by')
  app.use(express.json({ limit: '1mb' }))
  const r = express.Router()
  const startedAt = runtime.clock.now()

  const view = state.shared.journal(journal)

  r.get('/health', async (_req, res) => {
    res.json({
      status: 'ok',
      upstream: runtime.name,
      // What a run reading this upstream from elsewhere (`run --upstream-url`) checks it shares.
      seed: runtime.seed,
      uptimeMs: Math.round(runtime.clock.now() - startedAt),
      requests: (await view.counts()).total,
    })
  })

  r.get('/journal', async (req, res) => {
    // state=ended (default): attempts that ended; open: those still in progress (endedBy 'open'); all: both.
    const which = typeof req.query.state === 'string' ? req.query.state : 'ended'
    if (which !== 'ended' && which !== 'open' && which !== 'all') {
      adminError(res, 400, `unknown state=${which}; use state=ended (default), open or all`)
      return
    }
    const entries = await view.entries(journalQuery(req), which)
    if (req.query.format === 'jsonl') {
      res.type('application/x-ndjson').send(entries.map((e) => `${JSON.stringify(e)}\n`).join(''))
      return
    }
    const counts = await view.counts()
    res.json({ upstream: runtime.name, total: counts.total, dropped: counts.dropped, open: counts.open, entries })
  })

  r.get('/state', async (_req, res) => {
    const capacity = runtime.config.capacity
    res.json({
      upstream: runtime.name,
      inFlight: state.counters.inFlight,
      capacity:
        state.capacity && capacity
          ? { active: state.capacity.active, queued: state.capacity.queued, ...capacity }
          : null,
      limits: await state.shared.limits(),
      faults: state.engine.list().length,
      journal: await view.counts(),
    })
  })

  r.get('/faults', (_req, res) => {
    res.json({ faults: state.engine.list() })
  })

  r.put('/faults', async (req, res) => {
    const body: unknown = req.body
    const rules = Array.isArray(body) ? body : (body as { faults?: unknown } | undefined)?.faults
    const parsed = rulesSchema.safeParse(rules ?? null)
    const problems = parsed.success
      ? issueLines(unknownPhases(parsed.data, ctx.phases), 'faults.')
      : issueLines(parsed.error.issues, 'faults.')
    if (!parsed.success || problems.length > 0) {
      adminError(
        res,
        400,
        'invalid fault rules; nothing was changed. Send {"faults": [{"when": {...}, "fault": {"type": ...}}]}',
        problems,
      )
      return
    }
    await state.shared.replaceRules(parsed.data)
    res.json({ faults: state.engine.list() })
  })

  r.delete('/faults', async (_req, res) => {
    await state.shared.replaceRules([])
    res.json({ faults: [] })
  })

  r.post('/reset', async (_req, res) => {
    await resetState(state)
    await state.shared.replaceRules(ctx.initialRules)
    res.json({ status: 'reset', faults: state.engine.list().length })
  })

  r.get('/metrics', async (_req, res) => {
    const { registry } = state.metrics
    res.type(registry.contentType).send(await (state.shared.metrics?.(registry) ?? registry.metrics()))
  })

  app.use('/_brownout', r)
  app.use((req, res) =>
    adminError(
      res,
      404,
      `No admin endpoint ${req.method} ${req.path}. Try GET /_brownout/health, /journal, /state, /faults, /metrics; PUT /faults; POST /reset.`,
    ),
  )
  app.use((err: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    const status =
      typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500
    adminError(res, status, err instanceof Error ? err.message : 'admin request failed')
  })
  return app
}
