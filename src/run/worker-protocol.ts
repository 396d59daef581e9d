import type { ClientRecord } from '../load/record.js'
import type { RequestMapping } from '../load/request.js'
import type { Segment } from '../load/segment.js'
import type { PhaseWindow } from '../record/phase.js'
import type { LoadSpec } from '../scenario/schema.js'

/** Where a worker sends its requests: the SUT, or (direct) the upstreams by name. Plain data, sent over IPC. */
export interface WorkerTarget {
  sutUrl: string | null
  upstreams: Record<string, string>
  first: string
}

/** The base URL a request template goes to: the SUT's, else the upstream it names, else the first upstream. */
export function targetUrl(target: WorkerTarget, t: { upstream?: string | undefined }): string {
  return target.sutUrl ?? (t.upstream ? target.upstreams[t.upstream] : target.first) ?? ''
}

/** Everything a load worker needs to send its segment, as the parent computed it. */
export interface WorkerStart {
  type: 'start'
  load: LoadSpec
  seed: number
  runId: string
  phases: PhaseWindow[]
  durationMs: number
  /** The whole plan's arrival times; the worker sends its segment of them. */
  schedule: number[]
  segment: Segment
  target: WorkerTarget
  mapping: RequestMapping
  /** Epoch ms at which every worker starts: the plan's time 0. */
  startAt: number
}

export type ToWorker = WorkerStart | { type: 'stop' }

/** The live numbers a worker reports (a plain copy of the driver's stats, without the deadline tally). */
export interface WorkerStats {
  sent: number
  inFlight: number
  notSent: number
  byStatus: Record<string, number>
}

export type ToParent =
  | { type: 'ready' }
  | { type: 'records'; records: ClientRecord[] }
  | { type: 'stats'; stats: WorkerStats }
  | { type: 'done' }
