import { BrownoutError, ExitCode, exitCodeFor } from '../errors.js'

/** Prints an error the way users should see it (what, the problems, how to fix; never a stack); returns its exit code. */
export function printError(error: unknown): number {
  if (error instanceof BrownoutError) {
    process.stderr.write(`brownout: ${error.message}\n`)
    for (const problem of error.problems) process.stderr.write(`  ${problem}\n`)
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`)
    return exitCodeFor(error)
  }
  if (typeof error === 'string') {
    process.stderr.write(`brownout: ${error}\nRun brownout --help for usage.\n`)
    return ExitCode.usage
  }
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`brownout: unexpected error: ${message}\n`)
  if (process.env.BROWNOUT_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`)
  return ExitCode.runtime
}

/** Prints an error and exits with its code. yargs' own errors (bad flags, a failed coerce) are usage errors. */
export function fail(error: unknown): never {
  process.exit(printError(error instanceof Error && error.name === 'YError' ? error.message : error))
}

export function info(line: string): void {
  process.stdout.write(`${line}\n`)
}

export function warn(line: string): void {
  process.stderr.write(`warning: ${line}\n`)
}

/** An abort signal that Ctrl-C (SIGINT) or SIGTERM fires, for runs that stop cleanly; release() when done. */
export function interruptSignal(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController()
  const onSignal = () => controller.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}
