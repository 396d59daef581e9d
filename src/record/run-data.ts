import type { BrownoutError } from '../errors.js'
import type { ClientRecord } from '../load/record.js'
import type { Scenario } from '../scenario/schema.js'
import type { JournalEntry } from '../upstream/journal.js'
import type { RunMeta } from './meta.js'

/**
 * The record of one run, from the runner to the grader, the reports and the saved run folder: what ran (meta,
 * scenario), what the client saw (one record per logical request) and what the upstreams saw (one journal entry
 * per attempt). Grading and rendering are pure functions of it.
 */
export interface RunData {
  meta: RunMeta
  scenario: Scenario
  records: ClientRecord[]
  journal: JournalEntry[]
}

/** A run as `runScenario` returns it: its record, and the error that stopped it early (SUT crash, interrupt). */
export interface RunResult extends RunData {
  error?: BrownoutError
}
