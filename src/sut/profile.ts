import { dirname, resolve } from 'node:path'
import { z } from 'zod'
import type { LocatedYaml } from '../config/load-yaml.js'
import { loadYamlFile } from '../config/load-yaml.js'
import type { Problem } from '../config/problems.js'
import { API_NAMES } from '../dialects/registry.js'
import { durationSchema } from '../duration.js'

/**
 * How to start, reach and stop a system under test. Strings may use {{port}}, {{upstreams.<name>.url|port}},
 * {{upstreams.*.url}} (every upstream's URL, comma-separated, in the scenario's order) and {{upstreams.*.provider}}
 * (their provider families, in the same order).
 */
export const sutProfileSchema = z.strictObject({
  name: z.string().default('sut'),
  kind: z
    .enum(['proxy', 'client'])
    .default('proxy')
    .describe(
      'proxy: a gateway load goes through; client: a program run once per request (an SDK with its own retries)',
    ),
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]).describe('a shell command line, or argv'),
  cwd: z.string().optional().describe('working directory, relative to the profile file'),
  env: z.record(z.string(), z.string()).default({}),
  url: z.string().default('http://127.0.0.1:{{port}}').describe('where load is sent'),
  ready: z
    .strictObject({
      path: z.string().default('/'),
      timeout: durationSchema.default(30_000),
      status: z.number().int().optional().describe('the status that means ready; default: any status below 500'),
    })
    .default({ path: '/', timeout: 30_000 }),
  headers: z.record(z.string(), z.string()).default({}).describe('extra headers on every request'),
  api_headers: z
    .partialRecord(z.enum(API_NAMES), z.record(z.string(), z.string()))
    .default({})
    .describe("extra headers on one API's requests, over `headers` (e.g. a gateway's routing config per provider)"),
  paths: z.partialRecord(z.enum(API_NAMES), z.string()).default({}).describe('request path per API'),
  models: z.record(z.string(), z.string()).default({}).describe('scenario model name → the name the SUT expects'),
  max_processes: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'client mode: most client processes run at once (default: two per core); a request due while all are busy waits, and its wait is brownout lag',
    ),
  through: z
    .string()
    .min(1)
    .optional()
    .describe(
      'client mode: a gateway profile (kind: proxy, a file relative to this one) the client calls: brownout starts it and the SDK → gateway → upstream attempts are attributed by layer',
    ),
  stop_timeout: durationSchema.default(5_000).describe('how long SIGTERM may take before SIGKILL'),
})

export type SutProfile = z.output<typeof sutProfileSchema>

const TEMPLATE = /\{\{\s*([^}]+?)\s*\}\}/g

/** Replaces {{port}} and {{upstreams.<name>.url|port}}; unknown names are left for `templateProblems` to report. */
export function renderTemplate(text: string, values: Record<string, string>): string {
  return text.replace(TEMPLATE, (whole, name: string) => values[name] ?? whole)
}

/**
 * Template values for a run: the SUT's port, every upstream's url and port, and the limits the scenario says the
 * SUT is configured with (`{{sut_limits.rate}}` as N/<ms>ms, `{{sut_limits.budget}}`; empty when it states none).
 */
export function templateValues(
  port: number,
  upstreams: Record<string, { url: string; port: number; provider?: string }>,
  limits?: { requests?: number | undefined; per?: number | undefined; budget?: number | undefined },
): Record<string, string> {
  const values: Record<string, string> = {
    port: String(port),
    'upstreams.*.url': Object.values(upstreams)
      .map((u) => u.url)
      .join(','),
    // Each upstream's provider family (openai, anthropic, …), in the same order: a gateway told what it fronts.
    'upstreams.*.provider': Object.values(upstreams)
      .map((u) => u.provider ?? '')
      .join(','),
    'sut_limits.rate':
      limits?.requests !== undefined && limits.per !== undefined ? `${limits.requests}/${limits.per}ms` : '',
    'sut_limits.budget': limits?.budget !== undefined ? String(limits.budget) : '',
  }
  for (const [name, u] of Object.entries(upstreams)) {
    values[`upstreams.${name}.url`] = u.url
    values[`upstreams.${name}.port`] = String(u.port)
  }
  return values
}

/** Every {{template}} in the profile that names nothing the scenario has. */
export function templateProblems(profile: SutProfile, doc: LocatedYaml, upstreamNames: string[]): Problem[] {
  const known = new Set(
    Object.keys(templateValues(0, Object.fromEntries(upstreamNames.map((n) => [n, { url: '', port: 0 }])))),
  )
  const problems: Problem[] = []
  const check = (text: string, path: Array<string | number>) => {
    for (const m of text.matchAll(TEMPLATE)) {
      const name = m[1] ?? ''
      if (known.has(name)) continue
      const upstream = /^upstreams\.([^.]+)\./.exec(name)?.[1]
      problems.push({
        file: doc.file,
        ...doc.locate(path),
        message: `${path.join('.')}: {{${name}}} names nothing`,
        hint: upstream
          ? `the scenario's upstreams are: ${upstreamNames.join(', ')}`
          : 'use {{port}}, {{upstreams.<name>.url}}, {{upstreams.<name>.port}}, {{sut_limits.rate}} or {{sut_limits.budget}}',
      })
    }
  }
  const commands = typeof profile.command === 'string' ? [profile.command] : profile.command
  for (const [i, c] of commands.entries()) check(c, typeof profile.command === 'string' ? ['command'] : ['command', i])
  check(profile.url, ['url'])
  for (const [k, v] of Object.entries(profile.env)) check(v, ['env', k])
  for (const [k, v] of Object.entries(profile.headers)) check(v, ['headers', k])
  for (const [api, headers] of Object.entries(profile.api_headers))
    for (const [k, v] of Object.entries(headers ?? {})) check(v, ['api_headers', api, k])
  return problems
}

/** Loads a SUT profile, checking its templates against the scenario's upstream names. */
export function loadSutProfile(file: string, upstreamNames?: string[]): SutProfile {
  return loadYamlFile(file, sutProfileSchema, (profile, doc) =>
    upstreamNames ? templateProblems(profile, doc, upstreamNames) : [],
  )
}

/** What to spawn for a profile: argv (a shell line runs under /bin/sh -c), working directory and environment. */
export function resolveCommand(
  profile: SutProfile,
  values: Record<string, string>,
  profileFile: string | undefined,
): { argv: [string, ...string[]]; cwd: string; env: NodeJS.ProcessEnv } {
  const base = profileFile ? dirname(resolve(profileFile)) : process.cwd()
  const cwd = profile.cwd ? resolve(base, profile.cwd) : base
  const argv: [string, ...string[]] =
    typeof profile.command === 'string'
      ? ['/bin/sh', '-c', renderTemplate(profile.command, values)]
      : [
          renderTemplate(profile.command[0] ?? '/bin/sh', values),
          ...profile.command.slice(1).map((a) => renderTemplate(a, values)),
        ]
  const env = {
    ...process.env,
    ...Object.fromEntries(Object.entries(profile.env).map(([k, v]) => [k, renderTemplate(v, values)])),
  }
  return { argv, cwd, env }
}
