import type { CommandModule } from 'yargs'
import { z } from 'zod'
import { scenarioSchema } from '../scenario/schema.js'
import { sutProfileSchema } from '../sut/profile.js'
import { upstreamConfigSchema } from '../upstream/config.js'
import { info } from './output.js'

const SCHEMAS = { scenario: scenarioSchema, upstream: upstreamConfigSchema, sut: sutProfileSchema } as const

export const schemaCommand: CommandModule<object, { kind: keyof typeof SCHEMAS }> = {
  command: 'schema [kind]',
  describe: 'Print the JSON Schema of scenario files (or upstream blocks, SUT profiles) for editors',
  builder: (y) =>
    y.positional('kind', {
      choices: Object.keys(SCHEMAS) as Array<keyof typeof SCHEMAS>,
      default: 'scenario' as const,
    }),
  handler: (args) => {
    const schema = z.toJSONSchema(SCHEMAS[args.kind], { io: 'input', unrepresentable: 'any' })
    info(JSON.stringify({ ...schema, title: `brownout ${args.kind}` }, null, 2))
  },
}
