import type { CommandModule } from 'yargs'
import { ExitCode } from '../errors.js'
import { exitCodeOf, type GradedRun, regrade } from '../pipeline/pipeline.js'
import { renderConsole, renderSummaryLine } from '../report/console.js'
import { keepHeapNearLive } from './heap.js'
import { info, printError } from './output.js'

export const reportCommand: CommandModule<object, { dirs: string[] }> = {
  command: 'report <dirs..>',
  describe: 'Re-grade and re-render saved runs (their --out folders) without running them again',
  builder: (y) => y.positional('dirs', { type: 'string', array: true, demandOption: true }),
  handler: (args) => {
    keepHeapNearLive()
    let exit: number = ExitCode.ok
    const all: GradedRun[] = []
    for (const dir of args.dirs) {
      try {
        const graded = regrade(dir)
        info(renderConsole(graded.result))
        info(`  reports written to ${dir}`)
        all.push(graded)
      } catch (err) {
        exit = Math.max(exit, printError(err))
      }
    }
    // A saved run carries no error: how it stopped (incomplete, a SUT failure) is in its verdicts.
    if (exit === ExitCode.ok) exit = exitCodeOf(all)
    if (all.length > 1) info(renderSummaryLine(all.map((g) => g.result)))
    process.exitCode = exit
  },
}
