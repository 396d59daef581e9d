import type { Clock } from '../clock.js'
import { type Usage, usageInWrites } from '../dialects/passthrough.js'
import type { JournalEntry } from './journal.js'
import type { Plan, PlayResult } from './plan.js'

/** An attempt in progress: the plan once decided, and what the player has sent so far (filled in as it goes). */
export interface LiveAttempt {
  plan: Plan | undefined
  progress: PlayResult
}

/**
 * An attempt that arrived and has not ended, as the journal holds it until it ends: its entry and what the player has
 * sent so far, and nothing else (not its plan, not the response). What the journal's long-lived map holds costs
 * every young-generation GC: a closure made in `handle` held the response and the handler's scope, and the GC pauses
 * doubled (a 100 ms delay fault at 2,000 req/s went out late: p99 5 ms → 20 ms, bisected to the commit that
 * journaled attempts at arrival).
 */
export class OpenAttempt {
  constructor(
    private readonly entry: JournalEntry,
    private readonly progress: PlayResult,
    private readonly clock: Clock,
  ) {}

  /** What it has sent so far, and for how long it has been open (`endedBy: 'open'`). */
  snapshot(): JournalEntry {
    const { entry, progress } = this
    const { sent } = progress
    return {
      ...entry,
      status: sent?.status ?? null,
      errorType: sent?.errorType ?? null,
      retryAfterMs: sent?.retryAfterMs ?? null,
      bytes: progress.bytes,
      firstByteMs: progress.firstByteMs,
      durationMs: this.clock.now() - entry.receivedAt,
      endedBy: 'open',
      clientDisconnected: false,
      writes: progress.writes ?? 0,
      firstWriteMs: progress.firstWriteMs ?? null,
      lastWriteMs: progress.lastWriteMs ?? null,
    }
  }
}

function writeTimes(entry: JournalEntry, result: PlayResult): void {
  entry.writes = result.writes ?? 0
  entry.firstWriteMs = result.firstWriteMs ?? null
  entry.lastWriteMs = result.lastWriteMs ?? null
}

/** The data of the first `n` body writes of a plan: what went out. */
function writtenData(plan: Plan, n: number): Array<string | Buffer> {
  const out: Array<string | Buffer> = []
  for (const step of plan.steps) {
    if (out.length >= n) break
    if (step.kind === 'write') out.push(step.data)
  }
  return out
}

/** The usage the first `n` body writes of a plan report: as their producer knew it, else read from the data. */
function writtenUsage(plan: Plan, n: number): Usage | null {
  const first = plan.steps[0]
  if (n === 1 && first?.kind === 'write' && first.usage?.data === first.data)
    return { input: first.usage.input, output: first.usage.output }
  return usageInWrites(writtenData(plan, n))
}

/** Fills in how an attempt ended, from its plan and what playing it did. */
export function completeEntry(entry: JournalEntry, live: LiveAttempt, result: PlayResult, nowMs: number): void {
  const { plan } = live
  // The player says whether the status line went out, as it does for an attempt still open.
  entry.status = result.sent?.status ?? null
  entry.errorType = plan?.errorType ?? null
  entry.retryAfterMs = plan?.retryAfterMs ?? null
  entry.bytes = result.bytes
  entry.firstByteMs = result.firstByteMs
  entry.endedBy = result.endedBy
  entry.clientDisconnected = result.clientDisconnected
  writeTimes(entry, result)
  entry.usage = plan && result.writes ? writtenUsage(plan, result.writes) : null
  // When brownout or the client ended it, not when Node reported 'close' (loop turns later on a busy machine).
  entry.durationMs = (result.endedAt ?? nowMs) - entry.receivedAt
}
