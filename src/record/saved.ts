import { closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { z } from 'zod'
import { issueLines } from '../config/problems.js'
import { BrownoutError } from '../errors.js'
import { requestIdPrefix } from '../load/driver.js'
import type { ClientRecord } from '../load/record.js'
import { type Scenario, scenarioSchema } from '../scenario/schema.js'
import type { JournalEntry } from '../upstream/journal.js'
import { Compactor } from './compact.js'
import { expectedTextFor } from './expected-text.js'
import { clientRecordLineSchema, journalLineSchema } from './lines.js'
import { OLDEST_RUN_SCHEMA_VERSION, RUN_SCHEMA_VERSION, type RunMeta, runMetaSchema } from './meta.js'
import type { RunData } from './run-data.js'

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

/** A saved run that cannot be read: what is wrong, in which file, and what to do. */
class SavedRunError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message)
  }
}

const RERUN = 'the folder was edited or written by another tool: run the scenario again with --out'

/** Where a value breaks its schema: `where: path: message; path: message` (the first three). */
function problemsOf(where: string, error: z.ZodError): string {
  return `${where}: ${issueLines(error.issues, '', '(top)').slice(0, 3).join('; ')}`
}

/** The run schema version a run.json declares: `schemaVersion`, or the N of `schema: "brownout.run/N"` (v1). */
function declaredVersion(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null) return null
  const { schema, schemaVersion } = raw as { schema?: unknown; schemaVersion?: unknown }
  if (typeof schemaVersion === 'number') return schemaVersion
  const m = typeof schema === 'string' ? /^brownout\.run\/(\d+)$/.exec(schema) : null
  return m?.[1] ? Number(m[1]) : null
}

/**
 * run.json checked against the record contract. An older version this code reads is brought up to date
 * (version 1 differs only by not declaring `schemaVersion`); a newer or unknown one is refused, saying which.
 */
export function parseRunMeta(raw: unknown): RunMeta {
  const version = declaredVersion(raw)
  if (version === null)
    throw new SavedRunError(
      'run.json is not a brownout run record: it has no "schema": "brownout.run/N"',
      'pass the --out folder of a `brownout run`',
    )
  if (version > RUN_SCHEMA_VERSION || version < OLDEST_RUN_SCHEMA_VERSION)
    throw new SavedRunError(
      `run.json has run schema version ${version}, written by brownout ${String((raw as { brownout?: unknown }).brownout ?? '?')}; ` +
        `this brownout reads versions ${OLDEST_RUN_SCHEMA_VERSION} to ${RUN_SCHEMA_VERSION}`,
      version > RUN_SCHEMA_VERSION
        ? 'grade it with the brownout that wrote it (or a newer one), or run the scenario again with this one'
        : 'run the scenario again with this brownout',
    )
  const parsed = runMetaSchema.safeParse(upgradeMeta(raw as object, version))
  if (!parsed.success) throw new SavedRunError(problemsOf('run.json', parsed.error), RERUN)
  return parsed.data
}

/**
 * A run.json of an older version this code reads, as the current version says it. 1 → 2: version 1 (0.1.0) wrote
 * the same fields without `schemaVersion`. A future version adds its step here.
 */
function upgradeMeta(raw: object, version: number): object {
  let meta: Record<string, unknown> = { ...raw }
  if (version < 2) meta = { ...meta, schema: 'brownout.run/2', schemaVersion: 2 }
  return meta
}

/** The scenario a run saved; what does not validate is named by its path, not dumped as zod's JSON. */
function savedScenario(file: string): Scenario {
  const parsed = scenarioSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
  if (parsed.success) return parsed.data
  const problems = issueLines(parsed.error.issues, '', '(top)')
  throw new Error(`scenario.json does not validate (${problems.slice(0, 3).join('; ')})`)
}

/** The lines of a JSON-lines file, each checked against its schema, shared through `keep`. */
function checkedLines<T>(file: string, schema: z.ZodType, keep: (value: T) => T): T[] {
  const out: T[] = []
  for (const value of jsonLines<unknown>(file)) {
    const parsed = schema.safeParse(value)
    if (!parsed.success)
      throw new SavedRunError(problemsOf(`${basename(file)} line ${out.length + 1}`, parsed.error), RERUN)
    // The line as it was read, not zod's copy: the fields this version does not know stay with it.
    out.push(keep(value as T))
  }
  return out
}

/**
 * Reads a saved run folder (run.json, scenario.json, requests.jsonl, journal.jsonl) back into its record, checked
 * against the record contract: a missing file, a malformed line or a run schema version this code cannot read is
 * an INVALID_USAGE error that names the file and what to do. The lines are read one at a time and kept as the
 * summaries grading reads (src/record/compact.ts); `whole` keeps every line as saved (to write them again, as
 * `merge` does).
 */
export function loadRun(dir: string, options: { whole?: boolean } = {}): RunData {
  const need = (name: string) => {
    const file = join(dir, name)
    if (!existsSync(file)) {
      throw new BrownoutError('INVALID_USAGE', `${dir} is not a brownout run folder: ${name} is missing`, {
        hint: 'pass the --out folder of a `brownout run`',
      })
    }
    return file
  }
  try {
    const meta = parseRunMeta(JSON.parse(readFileSync(need('run.json'), 'utf8')))
    const scenario = savedScenario(need('scenario.json'))
    const compact = options.whole ? undefined : new Compactor(expectedTextFor(scenario), requestIdPrefix(meta.runId))
    return {
      meta,
      scenario,
      records: checkedLines<ClientRecord>(join(dir, 'requests.jsonl'), clientRecordLineSchema, (r) =>
        compact ? compact.record(r) : r,
      ),
      journal: checkedLines<JournalEntry>(join(dir, 'journal.jsonl'), journalLineSchema, (e) =>
        compact ? compact.entry(e) : e,
      ),
    }
  } catch (err) {
    if (err instanceof BrownoutError) throw err
    throw new BrownoutError('INVALID_USAGE', `cannot read the run in ${dir}: ${(err as Error).message}`, {
      cause: err,
      hint: err instanceof SavedRunError ? err.hint : RERUN,
    })
  }
}

/** Writes run.json and scenario.json beside the run's records (requests.jsonl and journal.jsonl, written live). */
export function saveRunFiles(dir: string, meta: RunMeta, scenario: Scenario): void {
  writeFileSync(join(dir, 'run.json'), `${JSON.stringify(meta, null, 2)}\n`)
  writeFileSync(join(dir, 'scenario.json'), `${JSON.stringify(scenario, null, 2)}\n`)
}
