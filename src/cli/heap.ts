import { setFlagsFromString } from 'node:v8'

/**
 * How far V8 lets the heap grow past what it holds before it collects, in percent. Left to itself it lets a
 * heap grow to up to 4× its live size when collecting is cheap, and a long run holds a summary of every request
 * until it is graded: a million requests would then peak at several GiB of garbage. 30 % keeps the peak near what
 * is held, for a few percent of one core (bench/README.md, "live run memory").
 */
export const HEAP_GROWING_PERCENT = 30

/**
 * For the commands that hold a whole run (run, suite, report, merge): collect garbage before the heap outgrows
 * what it holds by HEAP_GROWING_PERCENT. A --heap-growing-percent of the user's own (NODE_OPTIONS, node flags) wins.
 */
export function keepHeapNearLive(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('heap-growing-percent'))
  if (!given) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
}
