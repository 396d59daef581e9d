import { readFileSync } from 'node:fs'
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml'
import { z } from 'zod'
import { BrownoutError } from '../errors.js'
import { didYouMean, formatProblem, type Problem } from './problems.js'

type Path = ReadonlyArray<PropertyKey>

/** A parsed YAML document that can say where any path of it is. */
export interface LocatedYaml {
  file: string
  value: unknown
  /** Line and column (1-based) of the deepest node that exists along `path`; with `key`, of the key itself. */
  locate(path: Path, key?: string): { line: number; col: number }
}

/** Every property name a schema knows, for "did you mean" hints on unknown keys. */
function knownKeys(schema: z.ZodType): Set<string> {
  const keys = new Set<string>()
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>
      if (o.properties && typeof o.properties === 'object') for (const k of Object.keys(o.properties)) keys.add(k)
      for (const v of Object.values(o)) walk(v)
    }
  }
  walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }))
  return keys
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `${typeof value} ${JSON.stringify(value)}`
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root
  for (const key of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined
  return v
}

/** Parses YAML text, keeping positions. Syntax errors become problems, all of them. */
export function parseYaml(text: string, file: string): { doc?: LocatedYaml; problems: Problem[] } {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true })
  const problems: Problem[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 }
    return {
      file,
      line: pos.line,
      col: pos.col,
      message: `YAML syntax: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
      hint: 'check indentation, colons and quotes',
    }
  })
  if (problems.length > 0) return { problems }
  const position = (offset: number) => lineCounter.linePos(offset)
  const locate = (path: Path, key?: string) => {
    let node: unknown = doc.contents
    for (const segment of path) {
      const next = isMap(node) || isSeq(node) ? node.get(segment as never, true) : undefined
      if (!isNode(next)) break
      node = next
    }
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key)
      if (pair && isNode(pair.key) && pair.key.range) return position(pair.key.range[0])
    }
    const range = (node as Node | null)?.range
    return range ? position(range[0]) : { line: 1, col: 1 }
  }
  return { doc: { file, value: doc.toJS(), locate }, problems: [] }
}

/** Turns schema issues into located problems with a hint each. */
export function schemaProblems(
  doc: LocatedYaml,
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  base: Path = [],
): Problem[] {
  let vocabulary: Set<string> | undefined
  const problems: Problem[] = []
  for (const issue of issues) {
    const path = [...base, ...issue.path]
    const at = (key?: string) => ({ file: doc.file, ...doc.locate(path, key) })
    const where = path.length > 0 ? `${path.join('.')}: ` : ''
    if (issue.code === 'unrecognized_keys') {
      vocabulary ??= knownKeys(schema)
      for (const key of issue.keys) {
        const guess = didYouMean(key, vocabulary)
        problems.push({
          ...at(key),
          message: `${where}unknown key "${key}"`,
          hint: guess ? `did you mean "${guess}"?` : 'remove it; see `brownout schema`',
        })
      }
    } else if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
      const got = valueAt(doc.value, path)
      const options = issue.options.map(String)
      const guess = typeof got === 'string' ? didYouMean(got, options) : undefined
      problems.push({
        ...at(),
        message: `${where}unknown ${String(issue.discriminator ?? 'kind')} ${got === undefined ? '(missing)' : JSON.stringify(got)}`,
        hint: guess ? `did you mean "${guess}"?` : `one of: ${options.join(', ')}`,
      })
    } else if (issue.code === 'invalid_union') {
      const expected = issue.errors.flatMap((branch) =>
        branch.filter((i) => i.code === 'invalid_type').map((i) => (i as { expected: string }).expected),
      )
      problems.push({
        ...at(),
        message: `${where}${describeValue(valueAt(doc.value, path))} is not allowed here`,
        hint: expected.length > 0 ? `expected ${[...new Set(expected)].join(' or ')}` : issue.message,
      })
    } else if (issue.code === 'invalid_type') {
      const got = valueAt(doc.value, path)
      problems.push({
        ...at(),
        message:
          got === undefined ? `${where}is required` : `${where}expected ${issue.expected}, got ${describeValue(got)}`,
      })
    } else if (issue.code === 'invalid_value') {
      const options = issue.values.map(String)
      const got = valueAt(doc.value, path)
      const guess = typeof got === 'string' ? didYouMean(got, options) : undefined
      problems.push({
        ...at(),
        message: `${where}${describeValue(got)} is not one of ${options.join(', ')}`,
        ...(guess ? { hint: `did you mean "${guess}"?` } : {}),
      })
    } else {
      problems.push({ ...at(), message: `${where}${issue.message}` })
    }
  }
  return problems
}

/** Reads a file, or explains why it cannot be read. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new BrownoutError(
      'INVALID_USAGE',
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      {
        hint: 'check the path',
      },
    )
  }
}

/** Throws one INVALID_CONFIG error listing every problem, sorted by position. */
export function throwProblems(file: string, problems: Problem[]): never {
  const sorted = [...problems].sort((a, b) => a.line - b.line || a.col - b.col)
  throw new BrownoutError('INVALID_CONFIG', `${file} has ${sorted.length} problem${sorted.length === 1 ? '' : 's'}`, {
    problems: sorted.map(formatProblem),
    hint: 'fix them all and run again',
  })
}

/** Loads and validates a YAML file against a schema, reporting every problem at once with file:line:col. */
export function loadYamlFile<S extends z.ZodType>(
  file: string,
  schema: S,
  extra?: (value: z.output<S>, doc: LocatedYaml) => Problem[],
): z.output<S> {
  const { doc, problems } = parseYaml(readText(file), file)
  if (!doc) throwProblems(file, problems)
  const parsed = schema.safeParse(doc.value ?? {})
  if (!parsed.success) throwProblems(file, schemaProblems(doc, parsed.error.issues, schema))
  const more = extra?.(parsed.data, doc) ?? []
  if (more.length > 0) throwProblems(file, more)
  return parsed.data
}
