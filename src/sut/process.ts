import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { request } from 'undici'
import { BrownoutError } from '../errors.js'
import type { SutFailure } from '../record/meta.js'
import { renderTemplate, resolveCommand, type SutProfile } from './profile.js'

export interface StartedSut {
  url: string
  pid: number
  logFile: string
  /** Resolves with the exit code/signal if the SUT dies before `stop()`. */
  crashed: Promise<string>
  /** SIGTERM to the whole process group, SIGKILL after stop_timeout; resolves when the leader has exited. */
  stop(): Promise<void>
}

/** A SUT that could not be started: the error the user sees, and the failure a scorecard records. */
export class SutStartError extends BrownoutError {
  readonly failure: SutFailure
  constructor(code: 'SUT_CRASHED' | 'SUT_NOT_READY', message: string, failure: SutFailure, hint: string) {
    super(code, message, { hint })
    this.failure = failure
  }
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no output)'
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once('exit', () => r()))
}

/**
 * Starts a SUT in its own process group, its output in `logFile`, and waits until it answers its ready path.
 * Not ready in time, or dead before ready: a SUT_NOT_READY / SUT_CRASHED error with its last log lines, and
 * nothing left running.
 */
export async function startSut(
  profile: SutProfile,
  values: Record<string, string>,
  logFile: string,
  profileFile?: string,
): Promise<StartedSut> {
  const fd = openSync(logFile, 'w')
  const { argv, cwd, env } = resolveCommand(profile, values, profileFile)
  const child = spawn(argv[0], argv.slice(1), { cwd, env, detached: true, stdio: ['ignore', fd, fd] })
  closeSync(fd)
  const pid = child.pid
  if (pid === undefined) {
    throw new SutStartError(
      'SUT_CRASHED',
      `could not start the SUT "${profile.name}": ${argv.join(' ')}`,
      { when: 'start', reason: `could not run ${argv.join(' ')}`, lastOutput: [] },
      'check the command and cwd',
    )
  }
  let stopping = false
  const crashed = new Promise<string>((resolvePromise) => {
    child.once('exit', (code, signal) => {
      if (!stopping) resolvePromise(signal ? `killed by ${signal}` : `exited with code ${code}`)
    })
  })
  child.once('error', () => undefined)
  const stop = async () => {
    stopping = true
    if (groupAlive(pid)) {
      try {
        process.kill(-pid, 'SIGTERM')
      } catch {}
      let timer: NodeJS.Timeout | undefined
      const killed = await Promise.race([
        exited(child).then(() => 'exited'),
        new Promise((r) => {
          timer = setTimeout(() => r('timeout'), profile.stop_timeout)
        }),
      ])
      clearTimeout(timer)
      if (killed === 'timeout' || groupAlive(pid)) {
        try {
          process.kill(-pid, 'SIGKILL')
        } catch {}
      }
    }
    await exited(child)
  }
  const url = renderTemplate(profile.url, values).replace(/\/$/, '')
  const readyUrl = `${url}${profile.ready.path}`
  const deadline = Date.now() + profile.ready.timeout
  let died: string | undefined
  void crashed.then((why) => {
    died = why
  })
  while (Date.now() < deadline && died === undefined) {
    try {
      const res = await request(readyUrl, { method: 'GET', headersTimeout: 1000, bodyTimeout: 1000 })
      await res.body.dump()
      if (profile.ready.status === undefined ? res.statusCode < 500 : res.statusCode === profile.ready.status) {
        return { url, pid, logFile, crashed, stop }
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  await stop()
  const last = tail(logFile)
  const lastOutput = last.split('\n')
  if (died !== undefined) {
    throw new SutStartError(
      'SUT_CRASHED',
      `the SUT "${profile.name}" ${died} before it was ready. Its last output:\n${last}`,
      { when: 'start', reason: `${died} before it was ready`, lastOutput },
      `see ${logFile}; check the command and its configuration`,
    )
  }
  const reason = `did not answer ${readyUrl} within ${profile.ready.timeout} ms`
  throw new SutStartError(
    'SUT_NOT_READY',
    `the SUT "${profile.name}" ${reason}. Its last output:\n${last}`,
    { when: 'start', reason, lastOutput },
    `raise ready.timeout, or check ready.path and url in the profile (full log: ${logFile})`,
  )
}
