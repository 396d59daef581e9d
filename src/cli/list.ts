import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { CommandModule } from 'yargs'
import { z } from 'zod'
import { FAULTS } from '../faults/registry.js'
import { CHECKS } from '../grade/registry.js'
import { loadScenario } from '../pipeline/load-scenario.js'
import { info } from './output.js'
import { CATALOGUE_DIR } from './suite.js'

type Property = {
  description?: string
  default?: unknown
  type?: string
  enum?: unknown[]
  anyOf?: Property[]
  oneOf?: Property[]
}

function typeOf(p: Property): string {
  if (p.enum) return p.enum.map(String).join('|')
  if (p.type) return p.type
  if (p.oneOf) return 'duration|distribution'
  const types = new Set((p.anyOf ?? []).map(typeOf))
  if (types.size === 2 && types.has('number') && types.has('string')) return 'duration'
  if (types.size === 3 && types.has('number') && types.has('string') && types.has('object'))
    return 'duration|{min, max}'
  if (types.size > 0) return [...types].join('|')
  return 'duration|distribution'
}

/** Documentation for every fault, generated from its schema. */
export function describeFaults(): string {
  const out: string[] = []
  for (const fault of FAULTS) {
    const schema = z.toJSONSchema(fault.schema, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, Property>
      required?: string[]
    }
    out.push(`${fault.type}\n  ${fault.summary}`)
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      if (name === 'type') continue
      const required = schema.required?.includes(name) && prop.default === undefined ? ' (required)' : ''
      const def = prop.default !== undefined ? ` [default: ${JSON.stringify(prop.default)}]` : ''
      out.push(`    ${name}: ${typeOf(prop)}${required}${def}${prop.description ? ` — ${prop.description}` : ''}`)
    }
    out.push(
      `  example: ${JSON.stringify(fault.example)
        .replace(/"(\w+)":/g, '$1: ')
        .replace(/,/g, ', ')}`,
      '',
    )
  }
  return out.join('\n')
}

const RULES_HELP = `Rules (first match wins; \`faults: [...]\` composes several):
  - when: { attempt: 1 }                    # nth attempt of each logical request, or a list [1, 2]
    fault: { type: error, status: 503 }
  - when: { probability: 0.1, stream: true, model: "gpt-4o*" }
    fault: { type: stream-cut, after: 5, mode: reset }
Matchers: attempt, probability, during (phase name or {from, to}), every, path, model, stream, header.`

/** Documentation for every check: name, unit, default expectation, what it measures. */
export function describeChecks(): string {
  return CHECKS.map((c) => {
    const def = c.defaultExpect
      ? `default ${c.defaultExpect.threshold}${c.defaultExpect.required ? '' : ' (advisory)'}`
      : 'no default: set it in expect'
    return `${c.name}  [${c.unit}; ${def}]\n  ${c.summary}`
  }).join('\n')
}

const EXPECT_HELP = `In a scenario:
  expect:
    client.success_rate: ">= 0.99"             # required
    client.latency: "p(99) < 2s"               # percentiles: p(N), avg, max, min
    retries.max_attempts: { threshold: "<= 3", required: false }   # advisory
    client.success_rate[outage]: ">= 0.5"      # scoped to a phase
A check with no evidence (its situation never happened) never passes; it fails the run only if the scenario asked for it.`

/** The built-in scenario catalogue: name and what it proves. */
export function describeScenarios(): string {
  return readdirSync(CATALOGUE_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const s = loadScenario(join(CATALOGUE_DIR, f))
      return `${s.name}\n  ${s.description.trim().replace(/\s+/g, ' ')}`
    })
    .join('\n')
}

export const listCommand: CommandModule<object, { what: string }> = {
  command: 'list [what]',
  describe: 'List what brownout knows: scenarios, faults, checks',
  builder: (y) => y.positional('what', { choices: ['scenarios', 'faults', 'checks'] as const, default: 'scenarios' }),
  handler: (args) => {
    if (args.what === 'scenarios') {
      info(`Scenarios in the built-in catalogue (${CATALOGUE_DIR}):\n`)
      info(describeScenarios())
      return
    }
    if (args.what === 'checks') {
      info(`Checks (${CHECKS.length}):\n`)
      info(describeChecks())
      info(`\n${EXPECT_HELP}`)
      return
    }
    info(`Faults (${FAULTS.length}):\n`)
    info(describeFaults())
    info(RULES_HELP)
  },
}
