import { readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import type { CommandModule } from 'yargs'
import yargs from 'yargs'

const CLI_DIR = new URL('../../src/cli/', import.meta.url).pathname

/** One command of the brownout CLI: its name and every option it takes (with aliases), as its yargs builder declares. */
export interface CliCommand {
  name: string
  options: Set<string>
  booleans: Set<string>
}

/**
 * The CLI's commands, found the way `brownout` finds them: every `.command(x)` in src/cli/main.ts, `x` imported
 * from a module of src/cli/, whose builder is run on a fresh yargs to read its options.
 */
export async function cliCommands(): Promise<Map<string, CliCommand>> {
  const main = readFileSync(join(CLI_DIR, 'main.ts'), 'utf8')
  const from = new Map<string, string>()
  for (const m of main.matchAll(/import \{ ([^}]+) \} from '\.\/([\w-]+)\.js'/g))
    for (const name of (m[1] ?? '').split(',')) from.set(name.trim(), m[2] ?? '')
  const commands = new Map<string, CliCommand>()
  for (const [, name] of main.matchAll(/\.command\((\w+)\)/g)) {
    const file = from.get(name ?? '')
    if (!name || !file) throw new Error(`main.ts registers ${name} but imports it from no module of src/cli/`)
    const mod = (await import(join(CLI_DIR, `${file}.ts`))) as Record<string, CommandModule>
    const command = mod[name]
    if (!command || typeof command.command !== 'string')
      throw new Error(`src/cli/${file}.ts exports no command ${name}`)
    const built = (command.builder as unknown as (y: unknown) => { getOptions(): YargsOptions })(yargs([]))
    const o = built.getOptions()
    const options = new Set([...Object.keys(o.key), ...Object.values(o.alias).flat(), 'h'])
    commands.set(command.command.split(' ')[0] ?? '', { name, options, booleans: new Set(o.boolean) })
  }
  return commands
}

interface YargsOptions {
  key: Record<string, unknown>
  alias: Record<string, string[]>
  boolean: string[]
}

/** A brownout command line found in a manifest: where, its words after `brownout`, and the Job around it. */
export interface Invocation {
  where: string
  argv: string[]
  /** An Indexed Job's completions (the pod's JOB_COMPLETION_INDEX runs 0..N-1). */
  indexed?: number
}

/** The image's ENTRYPOINT (deploy/Dockerfile): what a container that sets no command runs. */
export function dockerEntrypoint(dockerfile: string): string[] {
  const m = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(readFileSync(dockerfile, 'utf8'))
  if (!m?.[1]) throw new Error(`${dockerfile} has no ENTRYPOINT ["…"]`)
  return JSON.parse(m[1]) as string[]
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const words = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' ? splitShell(v).flat() : []
const isBrownoutImage = (image: unknown) => typeof image === 'string' && /(^|\/)brownout(:|@|$)/.test(image)

/** Every brownout command line in a YAML file of Kubernetes objects or a compose file. */
export function invocations(file: string, entrypoint: string[]): Invocation[] {
  const found: Invocation[] = []
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { merge: true }).map((d) => d.toJS() as unknown)
  for (const doc of docs) {
    if (!isObj(doc)) continue
    if (isObj(doc.services)) {
      for (const [name, svc] of Object.entries(doc.services)) {
        if (!isObj(svc)) continue
        const ours =
          isBrownoutImage(svc.image) || (isObj(svc.build) && String(svc.build.dockerfile).includes('Dockerfile'))
        const argv = [
          ...(svc.entrypoint !== undefined ? words(svc.entrypoint) : ours ? entrypoint : []),
          ...words(svc.command),
        ]
        found.push(...commandLines(argv, `${basename(file)} services.${name}`))
      }
      continue
    }
    const kind = `${String(doc.kind)}/${String(isObj(doc.metadata) ? doc.metadata.name : '?')}`
    const spec = isObj(doc.spec) ? doc.spec : {}
    const indexed = spec.completionMode === 'Indexed' ? Number(spec.completions ?? 1) : undefined
    for (const c of containersIn(doc)) {
      const argv = [
        ...(c.command !== undefined ? words(c.command) : isBrownoutImage(c.image) ? entrypoint : []),
        ...words(c.args),
      ]
      for (const inv of commandLines(argv, `${basename(file)} ${kind} container ${String(c.name)}`))
        found.push(indexed === undefined ? inv : { ...inv, indexed })
    }
  }
  return found
}

function containersIn(value: unknown): Obj[] {
  if (Array.isArray(value)) return value.flatMap(containersIn)
  if (!isObj(value)) return []
  const here = ['containers', 'initContainers'].flatMap((k) => (Array.isArray(value[k]) ? (value[k] as unknown[]) : []))
  return [
    ...here.filter(isObj),
    ...Object.entries(value).flatMap(([k, v]) => (k.endsWith('ontainers') ? [] : containersIn(v))),
  ]
}

/** The brownout invocations of one argv: itself, or the commands of a `sh -c` script. */
function commandLines(argv: string[], where: string): Invocation[] {
  const [exe, flag, script] = argv
  const shell = exe !== undefined && ['sh', 'bash'].includes(basename(exe)) && flag === '-c'
  const lines = shell ? splitShell(script ?? '') : [argv]
  return lines
    .map((line) => line.filter((w, i) => !(i === 0 && w === 'exec')))
    .filter((line) => basename(line[0] ?? '') === 'brownout')
    .map((line) => ({ where, argv: line.slice(1) }))
}

/** A shell script's simple commands, each as its words (quotes removed; split at ; && || | and newlines). */
export function splitShell(script: string): string[][] {
  const commands: string[][] = [[]]
  const re = /[ \t]*(?:(&&|\|\||[;|&\n])|((?:'[^']*'|"(?:\\.|[^"\\])*"|\\\n|[^\s;&|'"])+))/y
  let pos = 0
  for (let m = re.exec(script); m !== null && m[0] !== ''; m = re.exec(script)) {
    pos = re.lastIndex
    if (m[1] !== undefined) commands.push([])
    else if (m[2] !== undefined)
      commands[commands.length - 1]?.push(m[2].replace(/\\\n/g, '').replace(/^'|'$|^"|"$/g, ''))
  }
  if (script.slice(pos).trim() !== '')
    throw new Error(`cannot split this shell script at "${script.slice(pos, pos + 40)}"`)
  return commands.filter((c) => c.length > 0)
}

/** What is wrong with one invocation: an unknown command or option. Empty when every word exists in the CLI. */
export function problemsOf(inv: Invocation, cli: Map<string, CliCommand>): string[] {
  const [sub, ...rest] = inv.argv
  const command = cli.get(sub ?? '')
  if (!command) return [`${inv.where}: brownout ${sub}: no such command (the CLI has ${[...cli.keys()].join(', ')})`]
  const problems: string[] = []
  for (const word of rest) {
    const m = /^--?([^=]+)/.exec(word)
    if (!m?.[1] || /^-\d/.test(word)) continue
    const name = m[1]
    const negated = name.startsWith('no-') && command.booleans.has(name.slice(3))
    if (!command.options.has(name) && !negated)
      problems.push(`${inv.where}: brownout ${sub} has no option ${word.split('=')[0]}`)
  }
  return problems
}

/** The value of `--segment` in an invocation, if it has one. */
export function segmentArg(inv: Invocation): string | undefined {
  const i = inv.argv.findIndex((w) => w === '--segment' || w.startsWith('--segment='))
  const w = inv.argv[i]
  if (i < 0 || w === undefined) return undefined
  return w.includes('=') ? w.slice(w.indexOf('=') + 1) : inv.argv[i + 1]
}

/** A `--segment` value as the pod of index `index` sees it: `$((JOB_COMPLETION_INDEX+1))/2` → `1/2` for 0. */
export function expandSegment(value: string, index: number): string {
  return value.replace(/\$\(\(\s*([^)]*?)\s*\)\)/g, (_, expr: string) => {
    const m = /^\$?\{?JOB_COMPLETION_INDEX\}?\s*(?:([+-])\s*(\d+))?$/.exec(expr)
    if (!m) throw new Error(`cannot evaluate $((${expr})): only JOB_COMPLETION_INDEX [+|- n]`)
    const n = Number(m[2] ?? 0)
    return String(m[1] === '-' ? index - n : index + n)
  })
}

/**
 * Whether a set of `--segment` values (K/N) covers one run: every K from 1 to N once, one N. Returns the problems.
 */
export function segmentProblems(values: readonly string[], where: string): string[] {
  const parsed = values.map((v) => /^(\d+)\/(\d+)$/.exec(v))
  if (parsed.some((m) => m === null)) return [`${where}: --segment ${values.join(', ')}: not all K/N`]
  const counts = new Set(parsed.map((m) => Number(m?.[2])))
  const count = [...counts][0] ?? 0
  if (counts.size !== 1) return [`${where}: --segment ${values.join(', ')}: more than one N`]
  const ks = parsed.map((m) => Number(m?.[1])).sort((a, b) => a - b)
  const want = Array.from({ length: count }, (_, i) => i + 1)
  return JSON.stringify(ks) === JSON.stringify(want)
    ? []
    : [`${where}: --segment ${values.join(', ')}: covers ${ks.join(',')} of 1..${count}, not each once`]
}

/** Every problem in the brownout command lines of a manifest file: unknown commands and options, segments. */
export async function checkManifest(
  file: string,
  cli: Map<string, CliCommand>,
  entrypoint: string[],
): Promise<string[]> {
  const all = invocations(file, entrypoint)
  const problems = all.flatMap((inv) => problemsOf(inv, cli))
  const segmented = all.filter((inv) => segmentArg(inv) !== undefined)
  for (const inv of segmented.filter((i) => i.indexed !== undefined)) {
    const value = segmentArg(inv) ?? ''
    const pods = Array.from({ length: inv.indexed ?? 0 }, (_, i) => expandSegment(value, i))
    problems.push(...segmentProblems(pods, `${inv.where} (completions ${inv.indexed})`))
  }
  const loose = segmented.filter((i) => i.indexed === undefined)
  if (loose.length > 0)
    problems.push(
      ...segmentProblems(
        loose.map((i) => segmentArg(i) ?? ''),
        `${basename(dirname(file))}/${basename(file)}`,
      ),
    )
  return problems
}
