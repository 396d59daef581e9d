/** Stable error codes: scripts and tests match on these, never on message text. */
export type ErrorCode =
  | 'INVALID_CONFIG'
  | 'INVALID_USAGE'
  | 'PORT_IN_USE'
  | 'LISTEN_FAILED'
  | 'SUT_NOT_READY'
  | 'SUT_CRASHED'
  | 'IO_ERROR'
  /** The state shared by replicas (`serve --state redis://…`) cannot be reached. */
  | 'STATE_UNAVAILABLE'
  /** The run was stopped by Ctrl-C (SIGINT) or SIGTERM: partial results kept, marked incomplete (exit 3). */
  | 'INTERRUPTED'
  | 'INTERNAL'

/** The one error class brownout throws on purpose: a code, a message that says what, and a hint that says how to fix it. */
export class BrownoutError extends Error {
  readonly code: ErrorCode
  readonly hint: string | undefined
  /** Individual problems (e.g. every validation error of a file), already formatted as `where: what`. */
  readonly problems: string[]

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown; problems?: string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'BrownoutError'
    this.code = code
    this.hint = options.hint
    this.problems = options.problems ?? []
  }
}

/** Exit codes, a stable documented list (DESIGN.md "Reports and exit codes"). */
export const ExitCode = { ok: 0, checkFailed: 1, usage: 2, runtime: 3, harnessLimited: 4 } as const

/**
 * The exit code of graded runs: 1 if any run that brownout kept up with failed (a verdict on the SUT), else 4 if
 * any run was harness-limited (brownout's own lag could have changed its verdicts), else 0.
 */
export function exitCodeForResults(results: Array<{ passed: boolean; harnessLimited: string | null }>): number {
  if (results.some((r) => !r.passed && r.harnessLimited === null)) return ExitCode.checkFailed
  if (results.some((r) => r.harnessLimited !== null)) return ExitCode.harnessLimited
  return ExitCode.ok
}

export function exitCodeFor(err: BrownoutError): number {
  return err.code === 'INVALID_CONFIG' || err.code === 'INVALID_USAGE' ? ExitCode.usage : ExitCode.runtime
}
