import { z } from 'zod'
import { harnessMetaSchema } from './harness.js'
import { phaseWindowSchema } from './phase.js'

/**
 * The version of the run record this code writes (run.json `schemaVersion`). Bump it when a field changes meaning
 * or goes away, and teach `upgradeMeta` (saved.ts) to bring the version before up to it.
 * 1: run.json `schema: "brownout.run/1"`, no `schemaVersion` (brownout 0.1.0). 2: `schemaVersion` written.
 */
export const RUN_SCHEMA_VERSION = 2

/** The oldest run record this code still reads. */
export const OLDEST_RUN_SCHEMA_VERSION = 1

/** A SUT that did not start, or died during the run: when, why, and the last lines of its output. */
export const sutFailureSchema = z.object({
  when: z.enum(['start', 'run']),
  /** `exited with code 1`, `killed by SIGSEGV`, `did not answer /health within 10000 ms`. */
  reason: z.string(),
  lastOutput: z.array(z.string()),
})

export type SutFailure = z.infer<typeof sutFailureSchema>

const sutMetaSchema = z.object({
  mode: z.enum(['target', 'sut', 'direct']),
  url: z.string(),
  name: z.string().optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  log: z.string().optional(),
  pid: z.number().optional(),
  /** Whether the SUT still answered its ready check after the load (not probed with --direct). */
  aliveAfter: z.boolean().optional(),
  /**
   * A started SUT profile: whether it takes the scenario's `sut_limits` (a `{{sut_limits.*}}` template). Absent for
   * a target (configured by hand) and in older runs.
   */
  limitsApplied: z.boolean().optional(),
  /** The SUT did not start, or died during the run. */
  failure: sutFailureSchema.optional(),
  /** A client program (an SDK with its own retries) that ran in front of the SUT: SDK → gateway → upstreams. */
  client: z.object({ name: z.string(), command: z.union([z.string(), z.array(z.string())]) }).optional(),
})

const countsSchema = z.object({
  requests: z.number(),
  attempts: z.number(),
  /** Attempts the SUT still held open when the run ended (journaled with `endedBy: 'open'`); absent in old runs. */
  openAttempts: z.number().optional(),
  notSent: z.number(),
  byOutcome: z.record(z.string(), z.number()),
  journalDropped: z.number(),
  /** Sent requests with no upstream attempt at all: answered by the SUT itself (or lost on the way). */
  neverReachedUpstream: z.number().optional(),
})

/** run.json: what ran, where, when, and what it counted. The records and the journal are beside it. */
export const runMetaSchema = z.object({
  schema: z.literal(`brownout.run/${RUN_SCHEMA_VERSION}`),
  schemaVersion: z.literal(RUN_SCHEMA_VERSION),
  /** The brownout version that wrote it. */
  brownout: z.string(),
  node: z.string(),
  scenario: z.object({ name: z.string(), description: z.string(), file: z.string().nullable() }),
  seed: z.number(),
  runId: z.string(),
  /** Epoch ms of the load's start: record times count from it. */
  loadStartedAt: z.number(),
  durationMs: z.number(),
  phases: z.array(phaseWindowSchema),
  sut: sutMetaSchema,
  upstreams: z.record(
    z.string(),
    z.object({
      url: z.string(),
      port: z.number(),
      provider: z.string(),
      /** Served elsewhere (`run --upstream-url`): its journal was read from its admin API. Absent otherwise. */
      external: z.literal(true).optional(),
    }),
  ),
  counts: countsSchema,
  complete: z.boolean(),
  stopReason: z.string().nullable(),
  /** brownout's own lag during the run and whether it limits the verdict (absent in runs saved before it). */
  harness: harnessMetaSchema.optional(),
  /**
   * This record is one execution segment of a run (`run --segment K/N`, `index` 0-based): it holds the requests
   * numbered n with n mod count = index. `brownout merge` joins the segments; absent in a whole run.
   */
  segment: z.object({ index: z.number().int().min(0), count: z.number().int().positive() }).optional(),
  /** A run joined from this many segment records by `brownout merge`; absent otherwise. */
  mergedFrom: z.number().int().positive().optional(),
})

export type RunMeta = z.infer<typeof runMetaSchema>
