import { didYouMean } from '../config/problems.js'
import { BrownoutError } from '../errors.js'
import type { Scenario } from '../scenario/schema.js'

export const upstreamPortOption = {
  'upstream-port': {
    type: 'string',
    array: true,
    describe: 'with --target: NAME=PORT puts that upstream on a fixed port, where your gateway forwards (repeatable)',
  },
} as const

/** Parses `--upstream-port primary=9101` values into upstream name → port. */
export function upstreamPortsFrom(values: readonly string[] | undefined): Map<string, number> {
  const ports = new Map<string, number>()
  for (const value of values ?? []) {
    const m = /^([A-Za-z0-9_-]+)=(\d+)$/.exec(value.trim())
    const port = Number(m?.[2])
    if (!m?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new BrownoutError('INVALID_USAGE', `--upstream-port ${value}: expected NAME=PORT with a port 1-65535`, {
        hint: 'e.g. --upstream-port primary=9101 --upstream-port fallback=9102',
      })
    }
    ports.set(m[1], port)
  }
  return ports
}

/** Names given to --upstream-port that none of `known` has, as a usage error with a guess. */
export function checkUpstreamNames(ports: Map<string, number>, known: ReadonlySet<string>, where: string): void {
  for (const name of ports.keys()) {
    if (known.has(name)) continue
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
): Scenario {
  if (ports.size > 0 && !target) {
    throw new BrownoutError('INVALID_USAGE', '--upstream-port only applies with --target', {
      hint: 'a --sut profile gets the upstream URLs through {{upstreams.NAME.url}}; --direct needs no gateway',
    })
  }
  const upstreams = Object.fromEntries(
    Object.entries(scenario.upstreams).map(([name, u]) => [name, { ...u, port: ports.get(name) ?? u.port }]),
  )
  if (target) {
    const loose = Object.entries(upstreams).find(([, u]) => u.port === 0)?.[0]
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
