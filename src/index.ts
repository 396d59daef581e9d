/**
 * brownout as a library: the fake upstream for your own tests, and the scenario runner, grader and reports the
 * CLI is made of. Every function below carries its own doc comment; README "Use as a library" has an example.
 */
export { type Clock, manualClock, systemClock } from './clock.js'
export { BrownoutError, type ErrorCode, ExitCode } from './errors.js'
export type { CheckResult, GradeResult, Verdict } from './grade/grade.js'
export { grade } from './grade/grade.js'
export type { ClientRecord, Outcome } from './load/record.js'
export { loadScenario } from './pipeline/load-scenario.js'
export { exitCodeOf, type GradedRun, regrade, runAndGrade } from './pipeline/pipeline.js'
export { type HarnessMeta, harnessMessage } from './record/harness.js'
export { RUN_SCHEMA_VERSION, type RunMeta } from './record/meta.js'
export type { PhaseWindow } from './record/phase.js'
export type { RunData, RunResult } from './record/run-data.js'
export { loadRun } from './record/saved.js'
export { writeReports } from './report/write.js'
export { type Rng, rngFor } from './rng.js'
export { type RunOptions, runScenario } from './run/run.js'
export type { SutMode } from './run/sut-mode.js'
export { type Scenario, scenarioSchema } from './scenario/schema.js'
export { loadSutProfile, type SutProfile } from './sut/profile.js'
export { type UpstreamConfig, type UpstreamConfigInput, upstreamConfigSchema } from './upstream/config.js'
export { type Answer, answerFor, answerText } from './upstream/content.js'
export { AttemptCounter, findRequestId, marker, REQUEST_ID_HEADER } from './upstream/correlation.js'
export { Journal, type JournalEntry, type JournalQuery } from './upstream/journal.js'
export { type RedisStateOptions, redisState } from './upstream/redis/state.js'
export { type RunningUpstream, type StartUpstreamOptions, startUpstream } from './upstream/server.js'
export {
  localState,
  type SharedState,
  type SharedStateFactory,
  type SharedStateInit,
} from './upstream/shared-state.js'
