import { type LagStats, NO_LAG } from '../lag-stats.js'
import { neverReached } from '../load/record.js'
import { saveRunFiles } from '../record/saved.js'
import { assessHarness } from './harness.js'
import type { RunState } from './state.js'

/**
 * The last step, whatever happened before: stops the SUT and the upstreams, then completes the record (brownout's
 * own lag, the counts, whether the run completed) and writes it beside requests.jsonl and journal.jsonl.
 */
export async function collect(run: RunState): Promise<void> {
  const { meta, records, journal, upstreams } = run
  await run.connection?.sut?.stop()
  const eventLoop = run.monitor?.stop()
  if (eventLoop)
    meta.harness = assessHarness({
      clientTimeoutMs: run.scenario.load.timeout,
      eventLoop,
      records,
      journal,
      loadStartedAt: meta.loadStartedAt,
      upstreamTimingError: worstTimingError(upstreams.map((u) => u.timingError())),
      processes: run.connection?.processes?.() ?? null,
      warmup: run.warmup,
    })
  await Promise.all(upstreams.map((u) => u.close()))
  meta.counts = {
    requests: records.length,
    attempts: journal.length,
    openAttempts: journal.filter((e) => e.endedBy === 'open').length,
    notSent: records.filter((r) => r.outcome === 'not-sent').length,
    byOutcome: countBy(records, (r) => r.outcome),
    // Every entry reached the run's journal through its subscription; the upstreams' own rings drop old ones.
    journalDropped: 0,
    neverReachedUpstream: neverReached(records, journal),
  }
  meta.complete = run.finished && run.error === undefined && run.stopReason === null
  meta.stopReason = run.stopReason
  await run.files.requests?.close()
  await run.files.journal?.close()
  if (run.outDir) saveRunFiles(run.outDir, meta, run.scenario)
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1
  return out
}

/** The upstreams' timing error as one figure: the worst p99 and max of any of them, their counts summed. */
function worstTimingError(all: LagStats[]): LagStats {
  return all.reduce(
    (w, t) => ({ count: w.count + t.count, p99Ms: Math.max(w.p99Ms, t.p99Ms), maxMs: Math.max(w.maxMs, t.maxMs) }),
    { ...NO_LAG },
  )
}
