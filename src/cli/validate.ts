import type { CommandModule } from 'yargs'
import { BrownoutError, ExitCode } from '../errors.js'
import { loadScenario } from '../scenario/load.js'
import { info, printError } from './output.js'

export const validateCommand: CommandModule<object, { files: string[] }> = {
  command: 'validate <files..>',
  describe: 'Check scenario files: every problem at once, as file:line:col',
  builder: (y) => y.positional('files', { type: 'string', array: true, demandOption: true }),
  handler: (args) => {
    let exit: number = ExitCode.ok
    for (const file of args.files) {
      try {
        const s = loadScenario(file)
        info(`${file}: ok (${s.name}: ${Object.keys(s.upstreams).length} upstream(s), ${s.phases.length} phase(s))`)
      } catch (err) {
        const code = printError(err)
        exit = Math.max(exit, err instanceof BrownoutError ? code : ExitCode.usage)
      }
    }
    process.exitCode = exit
  },
}
