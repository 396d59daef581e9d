import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { loadScenario } from '../../src/pipeline/load-scenario.js'
import {
  type CliCommand,
  checkManifest,
  cliCommands,
  dockerEntrypoint,
  expandSegment,
  invocations,
  segmentArg,
  splitShell,
} from './manifest-check.js'

const DEPLOY = new URL('../../deploy/', import.meta.url).pathname
const K8S = join(DEPLOY, 'kubernetes')
const FIXTURES = new URL('../fixtures/deploy/', import.meta.url).pathname

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  )
}

let cli: Map<string, CliCommand>
const entrypoint = dockerEntrypoint(join(DEPLOY, 'Dockerfile'))
beforeAll(async () => {
  cli = await cliCommands()
}, 60_000)

describe('deploy/ manifests', () => {
  it('find the CLI the way main.ts registers it', () => {
    expect([...cli.keys()]).toEqual(expect.arrayContaining(['serve', 'run', 'merge', 'report']))
    expect(cli.get('run')?.options.has('segment')).toBe(true)
    expect(cli.get('run')?.options.has('upstream-url')).toBe(true)
    expect(cli.get('serve')?.options.has('segment')).toBe(false)
  })

  it('run brownout serve, run and merge, in Kubernetes and in compose', () => {
    const subcommands = (file: string) => invocations(join(DEPLOY, file), entrypoint).map((i) => i.argv[0])
    expect(subcommands('kubernetes/upstream.yaml')).toEqual(['serve'])
    expect(subcommands('kubernetes/load-job.yaml')).toEqual(['run'])
    expect(subcommands('kubernetes/merge-job.yaml')).toEqual(['merge'])
    expect(subcommands('compose.yaml')).toEqual(['serve', 'run', 'run', 'merge'])
  })

  it('use only commands and options that exist in the CLI, and segments that cover the run', async () => {
    const files = yamlFiles(DEPLOY)
    expect(files.length).toBeGreaterThanOrEqual(9)
    const problems = (await Promise.all(files.map((f) => checkManifest(f, cli, entrypoint)))).flat()
    expect(problems).toEqual([])
  })

  it('give the Indexed Job pods segments 1/N..N/N, N its completions', () => {
    const [load] = invocations(join(K8S, 'load-job.yaml'), entrypoint)
    expect(load?.indexed).toBe(2)
    const value = segmentArg(load as NonNullable<typeof load>) ?? ''
    expect([0, 1].map((i) => expandSegment(value, i))).toEqual(['1/2', '2/2'])
    const job = parse(readFileSync(join(K8S, 'load-job.yaml'), 'utf8'))
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimit: 0 })
  })

  it('merge every segment the load sends, in Kubernetes and in compose', () => {
    const dirsOf = (file: string) => {
      const merge = invocations(join(DEPLOY, file), entrypoint).find((i) => i.argv[0] === 'merge')
      const argv = merge?.argv ?? []
      return argv.slice(1, argv.indexOf('--out'))
    }
    const segments = (file: string) =>
      invocations(join(DEPLOY, file), entrypoint)
        .filter((i) => i.argv[0] === 'run')
        .flatMap((i) => Array.from({ length: i.indexed ?? 1 }, (_, k) => expandSegment(segmentArg(i) ?? '', k)))
    const folder = (n: string) => `seg-${n.split('/')[0]}`
    expect(dirsOf('kubernetes/merge-job.yaml').map((d) => d.split('/').pop())).toEqual(
      segments('kubernetes/load-job.yaml').map(folder),
    )
    expect(dirsOf('compose.yaml').map((d) => d.split('/').pop())).toEqual(segments('compose.yaml').map(folder))
  })

  it('are refused when a flag does not exist', async () => {
    const problems = await checkManifest(join(FIXTURES, 'bad-flag.yaml'), cli, entrypoint)
    expect(problems).toEqual(['bad-flag.yaml Job/bad-flag container load: brownout run has no option --segmnt'])
  })

  it('are refused when the segments do not cover 1..N once each', async () => {
    const problems = await checkManifest(join(FIXTURES, 'bad-segments.yaml'), cli, entrypoint)
    expect(problems).toEqual([
      'bad-segments.yaml Job/bad-segments container load (completions 3): --segment 0/3, 1/3, 2/3: covers 0,1,2 of 1..3, not each once',
    ])
  })

  it('are refused when a compose service names no command, or its segments miss one', async () => {
    const problems = await checkManifest(join(FIXTURES, 'bad-compose.yaml'), cli, entrypoint)
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/services\.upstream: brownout serv: no such command \(the CLI has serve, run/)
    expect(problems[1]).toContain('--segment 1/2: covers 1 of 1..2')
  })

  it('split shell scripts into commands the way sh does for what they use', () => {
    expect(splitShell("exec brownout run a.yaml --out '/runs/x y' && echo done; brownout report b")).toEqual([
      ['exec', 'brownout', 'run', 'a.yaml', '--out', '/runs/x y'],
      ['echo', 'done'],
      ['brownout', 'report', 'b'],
    ])
  })

  it('list every Kubernetes file in the kustomization, and serve an upstream the scenario has', () => {
    const kustomization = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'))
    const listed = [
      'kustomization.yaml',
      ...kustomization.resources,
      ...kustomization.configMapGenerator.flatMap((g: { files?: string[] }) => g.files ?? []),
    ].sort()
    expect(listed).toEqual(
      yamlFiles(K8S)
        .map((f) => relative(K8S, f))
        .sort(),
    )
    for (const file of kustomization.resources) expect(existsSync(join(K8S, file))).toBe(true)
    const scenario = loadScenario(join(K8S, 'scenario.yaml'))
    const all = [...yamlFiles(K8S), join(DEPLOY, 'compose.yaml')].flatMap((f) => invocations(f, entrypoint))
    const named = all.flatMap((inv) =>
      inv.argv.flatMap((w, i) =>
        w === '--upstream' ? [inv.argv[i + 1]] : w === '--upstream-url' ? [inv.argv[i + 1]?.split('=')[0]] : [],
      ),
    )
    expect(named.length).toBeGreaterThanOrEqual(4)
    for (const name of named) expect(Object.keys(scenario.upstreams)).toContain(name)
  })

  it('build an image whose entrypoint is brownout, from node:22-slim without dev dependencies', () => {
    const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8')
    expect(entrypoint).toEqual(['brownout'])
    expect(dockerfile).toMatch(/^FROM node:22-slim$/m)
    expect(dockerfile).toContain('npm ci --omit=dev')
  })
})
