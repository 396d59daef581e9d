import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { issueLines } from '../config/problems.js'
import { BrownoutError } from '../errors.js'
import { grade } from '../grade/grade.js'
import { loadRun } from '../record/saved.js'

/** What `diff` reads of a check: its verdict, its value and how it was judged. */
const checkSchema = z.object({
  key: z.string(),
  verdict: z.enum(['pass', 'fail', 'no-evidence']),
  required: z.boolean(),
  failsRun: z.boolean(),
  value: z.number().nullable(),
  unit: z.string(),
  threshold: z.string(),
  evidence: z.string(),
})

/** What `diff` reads of a graded run (result.json, schema brownout.result/1); other fields are ignored. */
const resultSchema = z.object({
  schema: z.literal('brownout.result/1'),
  scenario: z.object({ name: z.string() }),
  sut: z.object({ name: z.string().optional(), url: z.string().optional(), failure: z.unknown().optional() }),
  complete: z.boolean(),
  passed: z.boolean(),
  harnessLimited: z.string().nullable().optional(),
  checks: z.array(checkSchema),
})
const resultsSchema = z.object({ schema: z.literal('brownout.results/1'), results: z.array(resultSchema) })

export type DiffCheck = z.output<typeof checkSchema>

/** One graded run on one side of a diff: a scenario, and in a scorecard the SUT it ran against. */
export interface DiffCell {
  sut: string | null
  scenario: string
  passed: boolean
  complete: boolean
  harnessLimited: boolean
  /** The SUT did not start or crashed (the run's own record of it), else null. */
  sutFailure: string | null
  checks: DiffCheck[]
}

/** One side of a diff: a run folder (cells by scenario) or a scorecard folder (cells by SUT and scenario). */
export interface DiffSide {
  dir: string
  kind: 'run' | 'scorecard'
  cells: DiffCell[]
}

const HINT =
  'pass the --out folder of `brownout run` (it holds result.json or run.json) or of `brownout suite` (scorecard.md and <scenario>/<sut>/result.json)'

function badInput(label: string, dir: string, what: string): BrownoutError {
  return new BrownoutError('INVALID_USAGE', `${label} (${dir}) ${what}`, { hint: HINT })
}

function failureText(failure: unknown): string | null {
  if (failure === undefined || failure === null) return null
  const f = failure as { when?: unknown; reason?: unknown }
  return `SUT ${f.when === 'start' ? 'did not start' : 'failed during the run'}${typeof f.reason === 'string' ? ` (${f.reason})` : ''}`
}

function cellOf(r: z.output<typeof resultSchema>, sut: string | null): DiffCell {
  return {
    sut,
    scenario: r.scenario.name,
    passed: r.passed,
    complete: r.complete,
    harnessLimited: r.harnessLimited !== null && r.harnessLimited !== undefined,
    sutFailure: failureText(r.sut.failure),
    checks: r.checks,
  }
}

/** A result.json file: one graded run, or several (`run` with more than one scenario). */
function readResultFile(file: string, label: string): Array<z.output<typeof resultSchema>> {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw badInput(label, file, `cannot be read as JSON: ${(err as Error).message}`)
  }
  const many = resultsSchema.safeParse(json)
  if (many.success) return many.data.results
  const one = resultSchema.safeParse(json)
  if (one.success) return [one.data]
  const problems = issueLines(one.error.issues, '', '(top)').slice(0, 3)
  throw new BrownoutError('INVALID_USAGE', `${label}: ${file} is not a brownout result (brownout.result/1)`, {
    problems,
    hint: 'it was edited, or written by another version of brownout: re-grade the run with `brownout report DIR`',
  })
}

function subdirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
}

/** A suite's --out folder: every <scenario>/<sut>/result.json, the SUT named as the run recorded it. */
function readScorecard(dir: string, label: string): DiffCell[] {
  const cells: DiffCell[] = []
  for (const scenario of subdirs(dir)) {
    for (const folder of subdirs(join(dir, scenario))) {
      const file = join(dir, scenario, folder, 'result.json')
      if (!existsSync(file)) continue
      for (const r of readResultFile(file, label)) cells.push(cellOf(r, r.sut.name ?? r.sut.url ?? folder))
    }
  }
  return cells
}

/**
 * Reads one side of a diff. A folder with result.json is a run; one with run.json but no result.json is a run
 * graded here; one with scorecard.md (and <scenario>/<sut>/result.json) is a scorecard. Anything else is a usage error that says
 * which side is wrong and what to pass instead.
 */
export function readDiffSide(path: string, label: 'A' | 'B'): DiffSide {
  if (!existsSync(path)) throw badInput(label, path, 'does not exist')
  if (statSync(path).isFile()) {
    return { dir: path, kind: 'run', cells: readResultFile(path, label).map((r) => cellOf(r, null)) }
  }
  const result = join(path, 'result.json')
  if (existsSync(result)) {
    return { dir: path, kind: 'run', cells: readResultFile(result, label).map((r) => cellOf(r, null)) }
  }
  const isScorecard = existsSync(join(path, 'scorecard.md')) || existsSync(join(path, 'scorecard.html'))
  if (isScorecard) {
    const cells = readScorecard(path, label)
    if (cells.length > 0) return { dir: path, kind: 'scorecard', cells }
    throw badInput(label, path, 'has a scorecard but none of its runs (<scenario>/<sut>/result.json): they are needed')
  }
  if (existsSync(join(path, 'run.json'))) {
    const graded = grade(loadRun(path))
    return { dir: path, kind: 'run', cells: [cellOf(resultSchema.parse(graded), null)] }
  }
  throw badInput(
    label,
    path,
    'is not a run folder or a scorecard folder: it has no result.json, run.json or scorecard.md',
  )
}

/** Both sides of a diff, read and checked to be of one kind (two runs, or two scorecards). */
export function readDiffPair(a: string, b: string): [DiffSide, DiffSide] {
  const sideA = readDiffSide(a, 'A')
  const sideB = readDiffSide(b, 'B')
  if (sideA.kind !== sideB.kind)
    throw new BrownoutError(
      'INVALID_USAGE',
      `A (${a}) is a ${sideA.kind} folder but B (${b}) is a ${sideB.kind} folder`,
      {
        hint: 'compare a run with a run (brownout run --out) or a scorecard with a scorecard (brownout suite --out)',
      },
    )
  return [sideA, sideB]
}
