import type { Agent } from 'undici'
import type { Clock } from '../clock.js'
import type { BrownoutError } from '../errors.js'
import type { LoadStats } from '../load/driver.js'
import type { ClientRecord } from '../load/record.js'
import type { Segment } from '../load/segment.js'
import type { Compactor } from '../record/compact.js'
import type { HarnessMeta } from '../record/harness.js'
import type { RunMeta } from '../record/meta.js'
import type { Scenario } from '../scenario/schema.js'
import type { JournalEntry } from '../upstream/journal.js'
import type { RunningUpstream } from '../upstream/server.js'
import type { Connection } from './connect.js'
import type { ExternalUpstreams, UpstreamAddress } from './external.js'
import type { JsonLines } from './files.js'
import type { HarnessMonitor } from './harness-monitor.js'
import type { SutMode } from './sut-mode.js'

export interface RunOptions {
  scenario: Scenario
  scenarioFile?: string
  sut: SutMode
  outDir?: string
  clock?: Clock
  /** Aborting it stops the run early (Ctrl-C): what was collected is kept and the run is marked incomplete. */
  signal?: AbortSignal
  /** Called about once a second with live numbers (for a progress line). */
  onProgress?: (p: { phase: string; elapsedMs: number; durationMs: number; stats: LoadStats }) => void
  /** How long to wait for in-flight requests after the schedule ends (default: the client timeout). */
  drainMs?: number
  /**
   * After the last client record, how long to wait for upstream attempts still in flight to end before those still
   * open are recorded as open (default 1000 ms).
   */
  settleMs?: number
  /**
   * Send only this execution segment of the schedule (`run --segment K/N`): the record is one part of a run that
   * `brownout merge` joins with the others before it is graded.
   */
  segment?: Segment
  /** Send the load from this many worker processes (`run --workers N`), one execution segment each. */
  workers?: number
  /** Serve the upstreams from this many cluster workers (`run --upstream-workers N`), one shared state. */
  upstreamWorkers?: number
  /** Upstreams served elsewhere (`run --upstream-url NAME=URL`): not started, their journals read at the end. */
  external?: ExternalUpstreams
}

/** What the steps of one run share: its options, its record as it grows, and what it started (to stop it). */
export interface RunState {
  opts: RunOptions
  scenario: Scenario
  clock: Clock
  outDir: string | undefined
  meta: RunMeta
  records: ClientRecord[]
  journal: JournalEntry[]
  /** A run holds every record and entry until it is graded: as summaries of what grading reads. */
  compact: Compactor
  /** The upstreams this run started (not those served elsewhere). */
  upstreams: RunningUpstream[]
  /** Every upstream of the scenario, in its order: those the run started and those served elsewhere. */
  addresses: UpstreamAddress[]
  /** requests.jsonl and journal.jsonl, written as the run goes (an interrupted run keeps what it collected). */
  files: { requests: JsonLines | undefined; journal: JsonLines | undefined }
  connection: Connection | undefined
  dispatcher: Agent | undefined
  monitor: HarnessMonitor | undefined
  warmup: HarnessMeta['warmup']
  /** Set when the run could not complete (SUT crash or start failure, interrupt). */
  error: BrownoutError | undefined
  stopReason: string | null
  /** Every step ran to its end. */
  finished: boolean
}
