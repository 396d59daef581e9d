import { request } from 'undici'
import { BrownoutError } from '../errors.js'
import { requestId } from '../load/driver.js'
import { inSegment, type Segment } from '../load/segment.js'
import type { Scenario } from '../scenario/schema.js'
import type { JournalEntry } from '../upstream/journal.js'

/**
 * Upstreams of a scenario that the run does not start (`run --upstream-url NAME=URL`): its traffic for NAME goes
 * to a brownout upstream already running at URL (`serve --scenario FILE --upstream NAME`, one or many replicas
 * behind one address). The run never resets it nor changes its faults; at the end it reads its journal.
 */
export interface ExternalUpstreams {
  /** Upstream name → base URL (no trailing slash). */
  urls: Record<string, string>
  /** The admin API's token (`serve --admin-token`), if it has one. */
  adminToken?: string | undefined
}

/** Where an upstream is, whether the run started it or not: what the SUT, the load and run.json need. */
export interface UpstreamAddress {
  name: string
  url: string
  port: number
  provider: string
  /** Served elsewhere (`--upstream-url`): the run reads its journal over HTTP at the end. */
  external?: true
}

/** The address of an external upstream of `scenario`. */
export function externalAddress(scenario: Scenario, name: string, url: string): UpstreamAddress {
  const u = new URL(url)
  const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port)
  return { name, url, port, provider: scenario.upstreams[name]?.provider ?? 'openai', external: true }
}

async function adminGet(base: string, path: string, token: string | undefined, what: string): Promise<string> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` }
  let res: Awaited<ReturnType<typeof request>>
  try {
    res = await request(`${base}/_brownout${path}`, { headers, headersTimeout: 10_000, bodyTimeout: 60_000 })
  } catch (err) {
    throw new BrownoutError('IO_ERROR', `${what}: ${base} does not answer (${(err as Error).message})`, {
      cause: err,
      hint: 'start it first (brownout serve --scenario FILE --upstream NAME), and check the URL',
    })
  }
  const body = await res.body.text()
  if (res.statusCode === 401)
    throw new BrownoutError('INVALID_USAGE', `${what}: ${base}'s admin API wants a token`, {
      hint: 'pass --admin-token (or set BROWNOUT_ADMIN_TOKEN) to the token its `serve --admin-token` was given',
    })
  if (res.statusCode !== 200)
    throw new BrownoutError('IO_ERROR', `${what}: ${base}/_brownout${path} answered ${res.statusCode}`, {
      hint: `is ${base} a brownout upstream? ${body.slice(0, 200)}`,
    })
  return body
}

/**
 * Before the run: every external upstream answers, serves the upstream it is named for with the run's seed (its
 * content, timing and faults are seeded), and has not already served this run's (or segment's) first request: a
 * previous run's attempts would count as this one's.
 */
export async function checkExternal(
  ext: ExternalUpstreams,
  run: { runId: string; seed: number; segment: Segment | undefined },
): Promise<void> {
  const { runId, seed, segment } = run
  const firstId = requestId(runId, segment?.index ?? 0)
  for (const [name, url] of Object.entries(ext.urls)) {
    const what = `--upstream-url ${name}=${url}`
    const health = JSON.parse(await adminGet(url, '/health', ext.adminToken, what)) as {
      upstream?: unknown
      seed?: unknown
    }
    if (health.upstream !== name)
      throw new BrownoutError(
        'INVALID_USAGE',
        `${what}: it serves upstream "${String(health.upstream)}", not "${name}"`,
        {
          hint: `start it as brownout serve --scenario FILE --upstream ${name}, so its journal names the upstream the run grades`,
        },
      )
    if (health.seed !== undefined && health.seed !== seed)
      throw new BrownoutError(
        'INVALID_USAGE',
        `${what}: it serves seed ${String(health.seed)}, this run has seed ${seed}`,
        {
          hint: `start it with --seed ${seed}, or run with --seed ${String(health.seed)}: answers, timing and faults are seeded`,
        },
      )
    const seen = await adminGet(url, `/journal?state=all&format=jsonl&id=${firstId}`, ext.adminToken, what)
    if (seen.trim() !== '')
      throw new BrownoutError('INVALID_USAGE', `${what}: it already served ${firstId}, a request of this run`, {
        hint: 'a previous run of this scenario and seed used it: restart it, POST /_brownout/reset to it, or (with --state redis://) give the replicas a new --run-id',
      })
  }
}

/**
 * Whether an entry of an external upstream's journal is this run's: a request of this run (of this segment, for
 * `--segment`), or an attempt with an id that is no request of the run (a gateway that dropped the id) that
 * arrived since `fromMs` (such an attempt may be read by several segments: `merge` keeps it once).
 */
export function isRunEntry(e: JournalEntry, runId: string, segment: Segment | undefined, fromMs: number): boolean {
  const prefix = `brn-${runId}-`
  const n = e.requestId.startsWith(prefix) ? Number(e.requestId.slice(prefix.length)) : Number.NaN
  if (Number.isInteger(n) && n >= 0) return segment === undefined || inSegment(n, segment)
  return e.receivedAt >= fromMs
}

/**
 * After the load: the run's entries of an external upstream's journal (`GET /_brownout/journal?state=all`), read
 * again until none of them is still open or `settleMs` has passed (those still open then are kept as open).
 */
export async function readExternalJournal(
  name: string,
  url: string,
  token: string | undefined,
  keep: (e: JournalEntry) => boolean,
  settleMs: number,
): Promise<JournalEntry[]> {
  const deadline = Date.now() + settleMs
  for (let round = 0; ; round++) {
    const text = await adminGet(url, '/journal?state=all&format=jsonl', token, `reading the journal of ${name}`)
    const entries = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as JournalEntry)
      .filter(keep)
    const open = entries.some((e) => e.endedBy === 'open')
    if (!open || Date.now() >= deadline || round >= 100) return entries.sort((a, b) => a.seq - b.seq)
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, deadline - Date.now())))
  }
}
