import { ExitCode, exitCodeFor, exitCodeForResults } from '../errors.js'
import { type GradeResult, grade } from '../grade/grade.js'
import type { RunResult } from '../record/run-data.js'
import { loadRun } from '../record/saved.js'
import { writeReports } from '../report/write.js'
import { runScenario } from '../run/run.js'
import type { RunOptions } from '../run/state.js'

/** A run and its grade: what every command reports, and what `writeReports` and the exit code are made of. */
export interface GradedRun {
  /** The run's record (with the error that stopped it early, if one did). */
  data: RunResult
  result: GradeResult
}

/**
 * The pipeline every command and test uses: run the scenario, grade the record, and write the reports into
 * `outDir` beside the records when there is one. It does not throw for what the run records as its failure (the
 * SUT did not start or crashed, an interrupt): that is `data.error`.
 */
export async function runAndGrade(opts: RunOptions): Promise<GradedRun> {
  const data = await runScenario(opts)
  const result = grade(data)
  if (opts.outDir) writeReports(opts.outDir, [{ result, data }])
  return { data, result }
}

/** The same pipeline from a saved run folder: load (checked against the record contract), grade, write reports. */
export function regrade(dir: string): GradedRun {
  const data = loadRun(dir)
  const result = grade(data)
  writeReports(dir, [{ result, data }])
  return { data, result }
}

/**
 * The exit code of graded runs (README "Exit codes"): the first run that stopped on an error gives that error's
 * code (3 for a SUT that did not start or crashed, or an interrupt); otherwise 1 if a check failed, 4 if brownout
 * could not keep up, 0 if all passed. `sutFailureIsVerdict` (suite): a SUT that did not start or crashed fails
 * its scenario (exit 1) instead; an interrupt still gives 3.
 */
export function exitCodeOf(runs: readonly GradedRun[], options: { sutFailureIsVerdict?: boolean } = {}): number {
  for (const { data } of runs) {
    if (!data.error) continue
    const verdict =
      options.sutFailureIsVerdict && data.meta.sut.failure !== undefined && data.error.code !== 'INTERRUPTED'
    if (!verdict) return exitCodeFor(data.error)
  }
  return runs.length === 0 ? ExitCode.ok : exitCodeForResults(runs.map((r) => r.result))
}
