import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs'
import { basename, join } from 'node:path'
import { issueLines } from '../config/problems.js'
import { BrownoutError } from '../errors.js'
import type { RunData } from '../grade/context.js'
import type { ClientRecord } from '../load/record.js'
import { scenarioSchema } from '../scenario/schema.js'
import type { JournalEntry } from '../upstream/journal.js'
import { Compactor } from './compact.js'

const CHUNK_BYTES = 1 << 20

/**
 * Each JSON line of a file, read a megabyte at a time: a long run's files outgrow what one string may hold,
 * and reading them whole would double the memory. A newline byte never occurs inside a UTF-8 sequence.
 */
export function* jsonLines<T>(file: string): Generator<T> {
  if (!existsSync(file)) return
  let line = 0
  /** One line's value; undefined for a blank line. A line that is not JSON is an error that says which. */
  const parse = (text: string): T | undefined => {
    line++
    if (text.trim() === '') return undefined
    try {
      return JSON.parse(text) as T
    } catch (err) {
      throw new Error(`${basename(file)} line ${line}: ${(err as Error).message}`)
    }
  }
  const fd = openSync(file, 'r')
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES)
    let carry: Buffer | null = null
    for (;;) {
      const read = readSync(fd, chunk, 0, CHUNK_BYTES, null)
      if (read === 0) break
      let buf = chunk.subarray(0, read)
      if (carry) buf = Buffer.concat([carry, buf])
      let start = 0
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        const value = parse(buf.toString('utf8', start, nl))
        if (value !== undefined) yield value
        start = nl + 1
      }
      carry = start < buf.length ? Buffer.from(buf.subarray(start)) : null
    }
    const last = carry ? parse(carry.toString('utf8')) : undefined
    if (last !== undefined) yield last
  } finally {
    closeSync(fd)
  }
}

/** The scenario a run saved; what does not validate is named by its path, not dumped as zod's JSON. */
function savedScenario(file: string): RunData['scenario'] {
  const parsed = scenarioSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
  if (parsed.success) return parsed.data
  const problems = issueLines(parsed.error.issues, '', '(top)')
  throw new Error(`scenario.json does not validate (${problems.slice(0, 3).join('; ')})`)
}

/** Reads a saved run folder (run.json, scenario.json, requests.jsonl, journal.jsonl) back into run data. */
export function loadRun(dir: string): RunData {
  const need = (name: string) => {
    const file = join(dir, name)
    if (!existsSync(file)) {
      throw new BrownoutError('INVALID_USAGE', `${dir} is not a brownout run folder: ${name} is missing`, {
        hint: 'pass the --out folder of a `brownout run`',
      })
    }
    return file
  }
  const compact = new Compactor()
  try {
    return {
      meta: JSON.parse(readFileSync(need('run.json'), 'utf8')),
      scenario: savedScenario(need('scenario.json')),
      records: Array.from(jsonLines<ClientRecord>(join(dir, 'requests.jsonl')), (r) => compact.record(r)),
      journal: Array.from(jsonLines<JournalEntry>(join(dir, 'journal.jsonl')), (e) => compact.entry(e)),
    }
  } catch (err) {
    if (err instanceof BrownoutError) throw err
    throw new BrownoutError('INVALID_USAGE', `cannot read the run in ${dir}: ${(err as Error).message}`, {
      cause: err,
      hint: 'the folder was edited or written by another version: run the scenario again with --out',
    })
  }
}
