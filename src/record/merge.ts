import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BrownoutError } from '../errors.js'
import type { JournalEntry } from '../upstream/journal.js'
import type { HarnessMeta } from './harness.js'
import type { RunMeta } from './meta.js'
import type { RunData } from './run-data.js'
import { saveRunFiles } from './saved.js'
import { withChanges } from './shared-parts.js'

/** A segment's record and the folder it came from (for messages). */
export interface SegmentRun {
  dir: string
  data: RunData
}

/**
 * Joins the records of a run's execution segments (`run --segment K/N`, one folder each, from one machine or
 * many) into the record of the whole run: every client record, every upstream attempt, counts summed, brownout's
 * own lag at its worst. Refuses folders that are not all the segments of one run, each once.
 *
 * Times: a record's times count from its segment's load start, which is where the plan's time 0 is, so they stay;
 * an attempt's arrival (epoch ms) is moved by its segment's start onto the earliest segment's start, so machines
 * whose clocks disagree still line up on the plan. Arrival numbers (`seq`) are given again per upstream.
 *
 * An upstream served elsewhere (`run --upstream-url`, marked `external` in run.json) is one upstream for every
 * segment: an attempt at it that several segments read from its journal (one whose id is no request of the run)
 * is kept once, from the first segment that has it.
 */
export function mergeRuns(parts: readonly SegmentRun[]): RunData {
  const first = parts[0]
  if (!first) throw new BrownoutError('INVALID_USAGE', 'merge needs the folders of a segmented run')
  checkSegments(parts)
  const base = Math.min(...parts.map((p) => p.data.meta.loadStartedAt))
  const records = parts.flatMap((p) => p.data.records).sort((a, b) => a.n - b.n)
  const journal = onceEach(
    parts.flatMap((p) =>
      p.data.journal.map((e) => withChanges(e, { receivedAt: e.receivedAt - p.data.meta.loadStartedAt + base })),
    ),
    externalUpstreams(first.data.meta),
  ).sort((a, b) => a.receivedAt - b.receivedAt)
  renumber(journal)
  const metas = parts.map((p) => p.data.meta)
  const { segment: _segment, ...meta } = first.data.meta
  const merged: RunMeta = {
    ...meta,
    loadStartedAt: base,
    sut: mergedSut(metas),
    // Attempts are counted over the merged journal: one read by several segments counts once.
    counts: {
      ...sumCounts(metas),
      attempts: journal.length,
      openAttempts: journal.filter((e) => e.endedBy === 'open').length,
    },
    complete: metas.every((m) => m.complete),
    stopReason: metas.find((m) => m.stopReason !== null)?.stopReason ?? null,
    mergedFrom: parts.length,
  }
  const harness = mergeHarness(metas)
  if (harness) merged.harness = harness
  else delete merged.harness
  return { meta: merged, scenario: first.data.scenario, records, journal }
}

/** Writes a merged run as a run folder (`report` reads it like any other). */
export function saveMergedRun(dir: string, data: RunData): void {
  writeFileSync(join(dir, 'requests.jsonl'), data.records.map((r) => `${JSON.stringify(r)}\n`).join(''))
  writeFileSync(join(dir, 'journal.jsonl'), data.journal.map((e) => `${JSON.stringify(e)}\n`).join(''))
  saveRunFiles(dir, data.meta, data.scenario)
}

function checkSegments(parts: readonly SegmentRun[]): void {
  const problems: string[] = []
  const first = parts[0]?.data
  const seen = new Map<number, string>()
  for (const { dir, data } of parts) {
    const { meta } = data
    if (!meta.segment) {
      problems.push(`${dir}: a whole run, not a segment (run it with --segment K/N)`)
      continue
    }
    if (first && meta.scenario.name !== first.meta.scenario.name)
      problems.push(`${dir}: scenario ${meta.scenario.name}, not ${first.meta.scenario.name}`)
    else if (first && JSON.stringify(data.scenario) !== JSON.stringify(first.scenario))
      problems.push(`${dir}: scenario ${meta.scenario.name} with other settings than ${parts[0]?.dir}`)
    if (first && meta.seed !== first.meta.seed) problems.push(`${dir}: seed ${meta.seed}, not ${first.meta.seed}`)
    const count = first?.meta.segment?.count
    if (count !== undefined && meta.segment.count !== count)
      problems.push(`${dir}: one of ${meta.segment.count} segments, not of ${count}`)
    const label = `${meta.segment.index + 1}/${meta.segment.count}`
    const twice = seen.get(meta.segment.index)
    if (twice) problems.push(`${dir}: segment ${label} again (also ${twice})`)
    seen.set(meta.segment.index, dir)
  }
  const count = first?.meta.segment?.count ?? 0
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i))
  if (problems.length === 0 && missing.length > 0)
    problems.push(
      `segment${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i + 1}/${count}`).join(', ')} missing`,
    )
  if (problems.length > 0) {
    throw new BrownoutError('INVALID_USAGE', 'these folders are not the segments of one run, each once', {
      problems,
      hint: 'pass every --out folder of `brownout run --segment K/N` for K = 1..N, with the same scenario and seed',
    })
  }
}

/** The names of the upstreams a run read from elsewhere (`--upstream-url`). */
export function externalUpstreams(meta: RunMeta): Set<string> {
  return new Set(
    Object.entries(meta.upstreams)
      .filter(([, u]) => u.external)
      .map(([name]) => name),
  )
}

/** The journal with each attempt at an external upstream once: the same upstream, seq and request id is one attempt. */
function onceEach(journal: JournalEntry[], external: ReadonlySet<string>): JournalEntry[] {
  if (external.size === 0) return journal
  const seen = new Set<string>()
  return journal.filter((e) => {
    if (!external.has(e.upstream)) return true
    const key = `${e.upstream}\u0000${e.seq}\u0000${e.requestId}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** `seq` is the order of arrival at each upstream, from 1: given again over the merged, time-ordered journal. */
function renumber(journal: JournalEntry[]): void {
  const next = new Map<string, number>()
  for (const e of journal) {
    const seq = (next.get(e.upstream) ?? 0) + 1
    next.set(e.upstream, seq)
    e.seq = seq
  }
}

function mergedSut(metas: readonly RunMeta[]): RunMeta['sut'] {
  const sut = { ...(metas[0] as RunMeta).sut }
  const alive = metas.map((m) => m.sut.aliveAfter)
  if (alive.some((a) => a !== undefined)) sut.aliveAfter = alive.every((a) => a !== false)
  const failure = metas.find((m) => m.sut.failure)?.sut.failure
  if (failure) sut.failure = failure
  return sut
}

function sumCounts(metas: readonly RunMeta[]): RunMeta['counts'] {
  const byOutcome: Record<string, number> = {}
  const sum = (pick: (c: RunMeta['counts']) => number | undefined) =>
    metas.reduce((s, m) => s + (pick(m.counts) ?? 0), 0)
  for (const m of metas) for (const [k, v] of Object.entries(m.counts.byOutcome)) byOutcome[k] = (byOutcome[k] ?? 0) + v
  return {
    requests: sum((c) => c.requests),
    attempts: sum((c) => c.attempts),
    openAttempts: sum((c) => c.openAttempts),
    notSent: sum((c) => c.notSent),
    byOutcome,
    journalDropped: sum((c) => c.journalDropped),
    neverReachedUpstream: sum((c) => c.neverReachedUpstream),
  }
}

type Lag = { count: number; p99Ms: number; maxMs: number }
const worst = (lags: Lag[]): Lag => ({
  count: lags.reduce((s, l) => s + l.count, 0),
  // The exact p99 of the union is not recoverable from the parts; the worst part's is an upper bound.
  p99Ms: Math.max(0, ...lags.map((l) => l.p99Ms)),
  maxMs: Math.max(0, ...lags.map((l) => l.maxMs)),
})

/** brownout's own lag over all segments: at its worst; limited if any segment was, with its reasons. */
function mergeHarness(metas: readonly RunMeta[]): HarnessMeta | undefined {
  const hs = metas.map((m, i) => ({ h: m.harness, i })).filter((x): x is { h: HarnessMeta; i: number } => !!x.h)
  const first = hs[0]?.h
  if (!first) return undefined
  const seconds = Math.max(...hs.map(({ h }) => h.eventLoop.perSecondMaxMs.length))
  const procs = hs.map(({ h }) => h.clientProcesses).filter((p) => p !== null)
  return {
    boundMs: Math.min(...hs.map(({ h }) => h.boundMs)),
    eventLoop: {
      ...worst(hs.map(({ h }) => h.eventLoop)),
      perSecondMaxMs: Array.from({ length: seconds }, (_, s) =>
        Math.max(...hs.map(({ h }) => h.eventLoop.perSecondMaxMs[s] ?? 0)),
      ),
    },
    sendLag: worst(hs.map(({ h }) => h.sendLag)),
    upstreamTimingError: worst(hs.map(({ h }) => h.upstreamTimingError)),
    clientProcesses:
      procs.length === 0
        ? null
        : {
            cap: procs.reduce((s, p) => s + p.cap, 0),
            peak: procs.reduce((s, p) => s + p.peak, 0),
            startLag: worst(procs.map((p) => p.startLag)),
            firstAttemptLag: worst(procs.map((p) => p.firstAttemptLag)),
          },
    warmup: first.warmup,
    limited: hs.some(({ h }) => h.limited),
    reasons: hs.flatMap(({ h, i }) => h.reasons.map((r) => `segment ${(metas[i]?.segment?.index ?? i) + 1}: ${r}`)),
  }
}
