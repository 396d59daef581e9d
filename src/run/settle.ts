import { answers } from './connect.js'
import { isRunEntry, readExternalJournal } from './external.js'
import type { RunState } from './state.js'

/**
 * After the load: an attempt can end a moment after its client got an answer, or never (held open by the SUT).
 * Waits briefly for every exchange in flight, stops recording, and records those still open as open. What the
 * upstreams see after this (the liveness probe, say) is not part of the run.
 */
export async function settle(run: RunState, unsubscribes: Array<() => void>): Promise<void> {
  await Promise.all(run.upstreams.map((u) => u.settled(run.opts.settleMs ?? 1000)))
  for (const off of unsubscribes.splice(0)) off()
  for (const entry of run.upstreams.flatMap((u) => u.journal.openEntries())) {
    run.files.journal?.write(entry)
    run.journal.push(run.compact.entry(entry))
  }
  await readExternal(run)
}

/** The run's attempts at the upstreams served elsewhere (`--upstream-url`), read from their admin API. */
async function readExternal(run: RunState): Promise<void> {
  const ext = run.opts.external
  if (!ext) return
  const { runId, loadStartedAt } = run.meta
  const keep = (e: Parameters<typeof isRunEntry>[0]) => isRunEntry(e, runId, run.opts.segment, loadStartedAt)
  for (const [name, url] of Object.entries(ext.urls)) {
    const entries = await readExternalJournal(name, url, ext.adminToken, keep, run.opts.settleMs ?? 1000)
    for (const entry of entries) {
      run.journal.push(run.compact.entry(entry))
      run.files.journal?.write(entry)
    }
  }
}

/** Whether a started or targeted gateway still answers after a complete run (sut.alive_after). */
export async function probeAlive(run: RunState): Promise<void> {
  const { sut } = run.opts
  // A gateway started for a client in front of it (a profile's `through`): probe the gateway.
  const through = run.connection?.readyUrl
  if (through && sut.mode === 'sut' && sut.profile.kind === 'client') {
    run.meta.sut.aliveAfter = await answers(through)
    return
  }
  if (sut.mode === 'direct' || (sut.mode === 'sut' && sut.profile.kind === 'client')) return
  const probeUrl = sut.mode === 'sut' ? `${run.meta.sut.url}${sut.profile.ready.path}` : run.meta.sut.url
  run.meta.sut.aliveAfter = await answers(probeUrl)
}
