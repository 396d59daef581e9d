import type { ServerResponse } from 'node:http'
import type { Clock } from '../clock.js'
import type { Plan, PlayResult, Step } from './plan.js'

type TimelineStep = Step | { kind: 'headers'; atMs: number }

/**
 * Plays a plan onto a response: waits for each step's time (scheduled against the arrival time, so delays do not
 * drift), honours back-pressure, and stops at once when the client goes away. Resolves when the exchange is over:
 * the response ended, the connection was reset or closed, or (for a hang) the client gave up.
 */
export function play(
  res: ServerResponse,
  plan: Plan,
  arrivalMs: number,
  clock: Clock,
  /** Called with how late (ms) each delayed body write went out against its schedule: brownout's timing error. */
  onLate?: (lateMs: number) => void,
  /** Filled in as the exchange goes (bytes, first byte), so an attempt still open can say what it has sent. */
  result: PlayResult = newPlayResult(),
): Promise<PlayResult> {
  const fast = playAtOnce(res, plan, arrivalMs, clock, result)
  if (fast) return fast
  return new Promise((resolve) => {
    const timeline: TimelineStep[] =
      plan.headersAtMs === null ? plan.steps : [{ kind: 'headers', atMs: plan.headersAtMs }, ...plan.steps]
    let index = 0
    let timer: NodeJS.Timeout | undefined
    let settled = false
    /** How brownout itself ended the exchange, once it has. */
    let endedBy: PlayResult['endedBy'] | undefined

    const socket = res.socket
    // Node 22 drops what is corked in a response when it ends (or its socket is written or closed) while still
    // corked: every step that leaves the response's own writes uncorks first.
    let corked = false
    const uncork = () => {
      if (!corked) return
      corked = false
      if (!res.destroyed) res.uncork()
    }
    /** Stamps the end once: brownout's own ending action, or the first sign of the client leaving. */
    const ended = () => {
      result.endedAt ??= clock.now()
    }
    const finish = (how: PlayResult['endedBy']) => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      socket?.off('end', ended).off('error', ended)
      ended()
      result.endedBy = how
      resolve(result)
    }
    // The client's FIN or RST is read turns of the event loop before the response reports 'close'.
    socket?.on('end', ended).on('error', ended)
    res.on('close', () => {
      if (endedBy === 'hang') result.clientDisconnected = true
      else if (endedBy === undefined) result.clientDisconnected = !res.writableFinished
      finish(endedBy ?? (result.clientDisconnected ? 'client' : 'end'))
    })

    const firstByte = () => {
      if (result.firstByteMs === null) result.firstByteMs = clock.now() - arrivalMs
    }
    const sendHeaders = () => {
      if (res.headersSent) return
      firstByte()
      res.writeHead(plan.status, plan.headers)
      res.flushHeaders()
      result.sent = sentFacts(plan)
    }

    /** Runs one step; false means stop here (the exchange is ending, or a drain will resume it). */
    const run = (step: TimelineStep): boolean => {
      switch (step.kind) {
        case 'headers':
          sendHeaders()
          return true
        case 'write': {
          sendHeaders()
          const at = clock.now() - arrivalMs
          result.firstWriteMs ??= at
          result.lastWriteMs = at
          result.writes = (result.writes ?? 0) + 1
          result.bytes += Buffer.byteLength(step.data)
          if (res.write(step.data)) return true
          index++
          res.once('drain', advance)
          return false
        }
        case 'raw':
          uncork()
          firstByte()
          result.bytes += typeof step.data === 'string' ? Buffer.byteLength(step.data) : step.data.length
          res.socket?.write(step.data)
          return true
        case 'end':
          sendHeaders()
          endedBy = 'end'
          uncork()
          res.once('finish', ended)
          res.end()
          return false
        case 'reset':
          endedBy = 'reset'
          uncork()
          resetAfterFlush(res, ended)
          return false
        case 'close':
          endedBy = 'close'
          uncork()
          ended()
          res.socket?.end()
          return false
        case 'hang':
          endedBy = 'hang'
          return false
      }
    }

    const advance = (): void => {
      const woken = timer !== undefined
      timer = undefined
      if (settled || endedBy) return
      res.cork()
      corked = true
      try {
        for (;;) {
          const step = timeline[index]
          if (!step) return
          const waitMs = arrivalMs + step.atMs - clock.now()
          if (waitMs > 0.5) {
            timer = setTimeout(advance, waitMs)
            return
          }
          if (woken && onLate && step.kind === 'write') onLate(-waitMs)
          if (!run(step)) return
          index++
        }
      } finally {
        uncork()
      }
    }
    advance()
  })
}

/** What the status line of `plan` said, once it went out. */
function sentFacts(plan: Plan): NonNullable<PlayResult['sent']> {
  return { status: plan.status, errorType: plan.errorType ?? null, retryAfterMs: plan.retryAfterMs ?? null }
}

/** A result before anything was sent. */
export function newPlayResult(): PlayResult {
  return { bytes: 0, firstByteMs: null, endedBy: 'end', clientDisconnected: false }
}

/**
 * The hot path: a plan whose every step is due now and that only writes and ends (a plain JSON answer) goes out
 * in one writeHead + end, with no timers and no corking. Undefined when the plan needs the full player.
 */
function playAtOnce(
  res: ServerResponse,
  plan: Plan,
  arrivalMs: number,
  clock: Clock,
  result: PlayResult,
): Promise<PlayResult> | undefined {
  if (plan.headersAtMs === null || plan.steps.length !== 2) return undefined
  const [write, end] = plan.steps
  if (write?.kind !== 'write' || end?.kind !== 'end') return undefined
  const now = clock.now()
  if (arrivalMs + Math.max(plan.headersAtMs, write.atMs, end.atMs) - now > 0.5) return undefined
  return new Promise((resolve) => {
    result.bytes = Buffer.byteLength(write.data)
    result.firstByteMs = now - arrivalMs
    result.firstWriteMs = now - arrivalMs
    result.lastWriteMs = now - arrivalMs
    result.writes = 1
    result.endedAt = now
    res.once('close', () => {
      result.clientDisconnected = !res.writableFinished
      if (result.clientDisconnected) result.endedBy = 'client'
      resolve(result)
    })
    res.writeHead(plan.status, plan.headers)
    result.sent = sentFacts(plan)
    res.end(write.data)
  })
}

/**
 * Grace between the last body byte and the RST. Linux reports a reset that arrives while the client still has
 * unread data as a plain end of stream, so give the client a moment to read what was sent before resetting.
 */
const RESET_GRACE_MS = 5

/**
 * Sends a TCP RST; after body bytes, once they have been handed to the kernel and the client had time to read them.
 * Calls `onReset` as the RST goes out.
 */
function resetAfterFlush(res: ServerResponse, onReset: () => void): void {
  const socket = res.socket
  if (!socket) return
  const reset = () => {
    if (socket.destroyed) return
    onReset()
    socket.resetAndDestroy()
  }
  if (!res.headersSent && socket.writableLength === 0) {
    reset()
    return
  }
  socket.write('', () => setTimeout(reset, RESET_GRACE_MS))
}
