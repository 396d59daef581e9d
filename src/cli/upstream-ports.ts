import { didYouMean } from '../config/problems.js'
import { BrownoutError } from '../errors.js'
import type { Scenario } from '../scenario/schema.js'

export const upstreamPortOption = {
  'upstream-port': {
    type: 'string',
    array: true,
    describe:
      'with --target: NAME=PORT puts that upstream on a fixed port, where your gateway forwards (repeatable); a bare PORT names the only upstream',
  },
} as const

/** The key of a bare `--upstream-port 9101`: the scenario's only upstream, whatever its name. */
export const ONLY_UPSTREAM = '*'

/**
 * Parses `--upstream-port primary=9101` values into upstream name → port. A bare `--upstream-port 9101` (what
 * `bench` always took) is kept under ONLY_UPSTREAM: it names the scenario's upstream when it has just one.
 */
export function upstreamPortsFrom(values: readonly (string | number)[] | undefined): Map<string, number> {
  const ports = new Map<string, number>()
  for (const raw of values ?? []) {
    const value = String(raw).trim()
    const m = /^(?:([A-Za-z0-9_-]+)=)?(\d+)$/.exec(value)
    const port = Number(m?.[2])
    if (!m || (m[1] === undefined && value.includes('=')) || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new BrownoutError(
        'INVALID_USAGE',
        `--upstream-port ${value}: expected NAME=PORT with a port 1-65535 (or a bare PORT when there is one upstream)`,
        { hint: 'e.g. --upstream-port primary=9101 --upstream-port fallback=9102' },
      )
    }
    ports.set(m[1] ?? ONLY_UPSTREAM, port)
  }
  return ports
}

/** The port given for upstream `name` of a scenario whose upstreams are `names`, if one was. */
export function portFor(
  ports: Map<string, number>,
  name: string,
  names: readonly string[],
  file: string,
): number | undefined {
  const bare = ports.get(ONLY_UPSTREAM)
  if (bare !== undefined && names.length !== 1) {
    throw new BrownoutError(
      'INVALID_USAGE',
      `--upstream-port ${bare}: ${file} has ${names.length} upstreams (${names.join(', ')}), so a bare port names none`,
      { hint: `name each one: ${names.map((n) => `--upstream-port ${n}=PORT`).join(' ')}` },
    )
  }
  return ports.get(name) ?? bare
}

/** Names given to --upstream-port that none of `known` has, as a usage error with a guess. */
export function checkUpstreamNames(ports: Map<string, number>, known: ReadonlySet<string>, where: string): void {
  for (const name of ports.keys()) {
    if (known.has(name) || name === ONLY_UPSTREAM) continue
    const guess = didYouMean(name, known)
    throw new BrownoutError('INVALID_USAGE', `--upstream-port ${name}=…: ${where} has no upstream "${name}"`, {
      hint: guess ? `did you mean ${guess}?` : `its upstreams: ${[...known].join(', ')}`,
    })
  }
}

/**
 * The scenario with its upstreams on the given ports. A gateway that is already running (--target) must know
 * where every upstream is: one left on a random port (0) is a usage error naming the flag that fixes it.
 */
export function pinUpstreamPorts(
  scenario: Scenario,
  ports: Map<string, number>,
  target: boolean,
  file: string,
  elsewhere: ReadonlySet<string> = new Set(),
): Scenario {
  if (ports.size > 0 && !target) {
    throw new BrownoutError('INVALID_USAGE', '--upstream-port only applies with --target', {
      hint: 'a --sut profile gets the upstream URLs through {{upstreams.NAME.url}}; --direct needs no gateway',
    })
  }
  const names = Object.keys(scenario.upstreams)
  const upstreams = Object.fromEntries(
    Object.entries(scenario.upstreams).map(([name, u]) => [
      name,
      { ...u, port: portFor(ports, name, names, file) ?? u.port },
    ]),
  )
  if (target) {
    // Upstreams served elsewhere (--upstream-url) are where the gateway already forwards.
    const loose = Object.entries(upstreams).find(([name, u]) => u.port === 0 && !elsewhere.has(name))?.[0]
    if (loose !== undefined) {
      throw new BrownoutError(
        'INVALID_USAGE',
        `${file}: with --target your gateway must know where upstream "${loose}" is, but it has no fixed port`,
        { hint: `pass --upstream-port ${loose}=PORT (or set upstreams.${loose}.port in the scenario)` },
      )
    }
  }
  return { ...scenario, upstreams }
}
