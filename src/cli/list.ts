import type { CommandModule } from 'yargs'
import { z } from 'zod'
import { describeEffect } from '../faults/effect.js'
import { FAULTS } from '../faults/registry.js'
import { CHECKS } from '../grade/registry.js'
import { type CatalogueGroup, groupCatalogue, readCatalogue } from '../scenario/catalogue.js'
import { info, printError } from './output.js'
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
    out.push(`${fault.type}\n  ${fault.summary}\n  effect: ${describeEffect(fault.effect)}`)
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
Matchers: attempt, probability, during (phase name or {from, to}), every, path, model, stream, header, request_id,
prefill (true: the request ends on an assistant turn, e.g. a gateway resuming a cut stream with the partial answer).`

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

/** The built-in scenario catalogue by group: each scenario's name, what it proves, and the report it comes from. */
export function describeScenarios(groups: CatalogueGroup[]): string {
  return groups
    .map((g) => {
      const head = `── ${g.group ?? 'ungrouped'} (${g.scenarios.length}): ${g.title}`
      const lines = g.scenarios.map((s) => `${s.name}\n  ${s.description}${s.source ? `\n  from: ${s.source}` : ''}`)
      return [head, ...lines].join('\n')
    })
    .join('\n\n')
}

export const listCommand: CommandModule<object, { what: string; json: boolean }> = {
  command: 'list [what]',
  describe: 'List what brownout knows: scenarios, faults, checks',
  builder: (y) =>
    y
      .positional('what', { choices: ['scenarios', 'faults', 'checks'] as const, default: 'scenarios' })
      .option('json', { type: 'boolean', default: false, describe: 'scenarios as JSON: groups, sources, files' }),
  handler: (args) => {
    if (args.json && args.what !== 'scenarios') {
      process.exitCode = printError(`--json is for \`list scenarios\`; \`list ${args.what}\` prints text`)
      return
    }
    if (args.what === 'scenarios') {
      const groups = groupCatalogue(readCatalogue(CATALOGUE_DIR))
      if (args.json) {
        info(JSON.stringify({ schema: 'brownout.catalogue/1', dir: CATALOGUE_DIR, groups }, null, 2))
        return
      }
      info(`Scenarios in the built-in catalogue (${CATALOGUE_DIR}), by group:\n`)
      info(describeScenarios(groups))
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
