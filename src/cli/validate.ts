import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { CommandModule } from 'yargs'
import { BrownoutError, ExitCode } from '../errors.js'
import { loadScenario } from '../pipeline/load-scenario.js'
import { info, printError } from './output.js'

export const validateCommand: CommandModule<object, { files: string[] }> = {
  command: 'validate <files..>',
  describe: 'Check scenario files (or every .yaml/.yml in a folder): every problem at once, as file:line:col',
  builder: (y) => y.positional('files', { type: 'string', array: true, demandOption: true }),
  handler: (args) => {
    let exit: number = ExitCode.ok
    let files: string[]
    try {
      files = args.files.flatMap(scenarioFiles)
    } catch (err) {
      process.exitCode = printError(err)
      return
    }
    for (const file of files) {
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

/** A folder stands for the scenario files in it (not its subfolders); anything else is taken as a file. */
function scenarioFiles(path: string): string[] {
  let isDir = false
  try {
    isDir = statSync(path).isDirectory()
  } catch {
    return [path] // loadScenario says the file does not exist
  }
  if (!isDir) return [path]
  const files = readdirSync(path)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(path, f))
  if (files.length === 0)
    throw new BrownoutError('INVALID_USAGE', `${path} is a folder with no .yaml or .yml file in it`, {
      hint: 'give scenario files, or a folder that holds some',
    })
  return files
}
