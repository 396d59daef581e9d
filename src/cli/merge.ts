import type { CommandModule } from 'yargs'
import { exitCodeOf, regrade } from '../pipeline/pipeline.js'
import { externalUpstreams, mergeRuns, saveMergedRun } from '../record/merge.js'
import { loadRun } from '../record/saved.js'
import { renderConsole } from '../report/console.js'
import { prepareOutDir } from '../run/files.js'
import { sharedStateWarning } from '../run/segments.js'
import { keepHeapNearLive } from './heap.js'
import { info, printError } from './output.js'

export const mergeCommand: CommandModule<object, { dirs: string[]; out: string }> = {
  command: 'merge <dirs..>',
  describe: 'Join the folders of a segmented run (run --segment K/N) into one run, and grade it once',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: "every segment's --out folder" })
      .option('out', { type: 'string', demandOption: true, describe: 'folder for the joined run and its reports' })
      .example(
        '$0 merge seg-1 seg-2 seg-3 --out run',
        'three segments of one run, from three processes or machines, graded as one run',
      ),
  handler: (args) => {
    keepHeapNearLive()
    try {
      const merged = mergeRuns(args.dirs.map((dir) => ({ dir, data: loadRun(dir, { whole: true }) })))
      const out = prepareOutDir(args.out)
      saveMergedRun(out, merged)
      info(
        `merged ${args.dirs.length} segments: ${merged.meta.counts.requests} requests, ${merged.meta.counts.attempts} upstream attempts`,
      )
      const warning = sharedStateWarning(merged.scenario, externalUpstreams(merged.meta))
      if (warning) info(`  note: ${warning}`)
      const graded = regrade(out)
      info(renderConsole(graded.result))
      info(`  reports written to ${out}`)
      process.exitCode = exitCodeOf([graded])
    } catch (err) {
      process.exitCode = printError(err)
    }
  },
}
