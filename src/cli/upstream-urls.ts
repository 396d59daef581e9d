import { didYouMean } from '../config/problems.js'
import { BrownoutError } from '../errors.js'
import type { ExternalUpstreams } from '../run/external.js'
import type { Scenario } from '../scenario/schema.js'

export const upstreamUrlOptions = {
  'upstream-url': {
    type: 'string',
    array: true,
    describe:
      'NAME=URL: do not start upstream NAME; its traffic goes to a running `brownout serve --scenario … --upstream NAME` at URL, whose journal the run reads at the end (repeatable)',
  },
  'admin-token': {
    type: 'string',
    describe: 'the admin API token of the --upstream-url upstreams (or env BROWNOUT_ADMIN_TOKEN)',
  },
} as const

/** Parses `--upstream-url primary=http://upstream:8080` values (and the admin token) into the run's option. */
export function upstreamUrlsFrom(
  values: readonly string[] | undefined,
  adminToken: string | undefined,
): ExternalUpstreams | undefined {
  if (values === undefined || values.length === 0) return undefined
  const urls: Record<string, string> = {}
  for (const raw of values) {
    const m = /^([A-Za-z0-9_-]+)=(https?:\/\/\S+)$/.exec(String(raw).trim())
    const name = m?.[1]
    const url = m?.[2]
    if (name === undefined || url === undefined || !URL.canParse(url))
      throw new BrownoutError('INVALID_USAGE', `--upstream-url ${raw}: expected NAME=URL with an http(s) URL`, {
        hint: 'e.g. --upstream-url primary=http://upstream:8080 (a running brownout serve --scenario … --upstream primary)',
      })
    if (urls[name] !== undefined)
      throw new BrownoutError('INVALID_USAGE', `--upstream-url ${name}=… is given twice`, {
        hint: 'one URL per upstream: put several replicas behind one address (a Service, a load balancer)',
      })
    urls[name] = url.replace(/\/+$/, '')
  }
  return { urls, adminToken: adminToken ?? process.env.BROWNOUT_ADMIN_TOKEN }
}

/** Refuses `--upstream-url` names the scenario does not have, and upstreams also given a port to listen on. */
export function checkUpstreamUrls(
  ext: ExternalUpstreams | undefined,
  scenario: Scenario,
  ports: ReadonlyMap<string, number>,
  file: string,
): void {
  const known = Object.keys(scenario.upstreams)
  for (const name of Object.keys(ext?.urls ?? {})) {
    if (!known.includes(name)) {
      const guess = didYouMean(name, known)
      throw new BrownoutError('INVALID_USAGE', `--upstream-url ${name}=…: ${file} has no upstream "${name}"`, {
        hint: guess ? `did you mean ${guess}?` : `its upstreams: ${known.join(', ')}`,
      })
    }
    if (ports.has(name))
      throw new BrownoutError('INVALID_USAGE', `upstream "${name}" has both --upstream-url and --upstream-port`, {
        hint: '--upstream-url: it runs elsewhere; --upstream-port: this run starts it on that port. Pick one',
      })
  }
}
