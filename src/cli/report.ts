import type { CommandModule } from 'yargs'
import { ExitCode, exitCodeForResults } from '../errors.js'
import type { RunData } from '../grade/context.js'
import { type GradeResult, grade } from '../grade/grade.js'
import { renderConsole, renderSummaryLine } from '../report/console.js'
import { writeReports } from '../report/write.js'
import { loadRun } from '../run/saved.js'
import { info, printError } from './output.js'

export const reportCommand: CommandModule<object, { dirs: string[] }> = {
  command: 'report <dirs..>',
  describe: 'Re-grade and re-render saved runs (their --out folders) without running them again',
  builder: (y) => y.positional('dirs', { type: 'string', array: true, demandOption: true }),
  handler: (args) => {
    let exit: number = ExitCode.ok
    const all: Array<{ result: GradeResult; data: RunData }> = []
    for (const dir of args.dirs) {
      try {
        const data = loadRun(dir)
        const result = grade(data)
        writeReports(dir, [{ result, data }])
        info(renderConsole(result))
        info(`  reports written to ${dir}`)
        all.push({ result, data })
      } catch (err) {
        exit = Math.max(exit, printError(err))
      }
    }
    if (exit === ExitCode.ok) exit = exitCodeForResults(all.map((g) => g.result))
    if (all.length > 1) info(renderSummaryLine(all.map((g) => g.result)))
    process.exitCode = exit
  },
}
