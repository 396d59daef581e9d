import { writeFileSync } from 'node:fs'
import type { CommandModule } from 'yargs'
import { BrownoutError, ExitCode } from '../errors.js'
import { diffExitCode, diffSides } from '../report/diff.js'
import { readDiffPair } from '../report/diff-input.js'
import { renderDiffMarkdown } from '../report/diff-markdown.js'
import { printError } from './output.js'

interface DiffArgs {
  a: string
  b: string
  format: 'md' | 'json'
  out: string | undefined
}

/** --out report, report.md or report.json: both files, next to each other. */
function outFiles(out: string): { md: string; json: string } {
  const base = out.replace(/\.(md|json)$/, '')
  return { md: `${base}.md`, json: `${base}.json` }
}

export const diffCommand: CommandModule<object, DiffArgs> = {
  command: 'diff <a> <b>',
  describe: 'Compare two runs or two scorecards (old and new gateway): regressions, fixes, values that moved',
  builder: (y) =>
    y
      .positional('a', { type: 'string', demandOption: true, describe: 'the baseline: a run or scorecard folder' })
      .positional('b', { type: 'string', demandOption: true, describe: 'the candidate, of the same kind' })
      .option('format', { choices: ['md', 'json'] as const, default: 'md' as const, describe: 'what stdout gets' })
      .option('out', { type: 'string', describe: 'also write FILE.md and FILE.json' })
      .example('$0 diff scorecards/v1 scorecards/v2', 'exit 1 if v2 regressed a check that v1 passed')
      .example('$0 diff runs/before runs/after --format json', 'the same, as JSON'),
  handler: (args) => {
    let exit: number = ExitCode.ok
    try {
      const d = diffSides(...readDiffPair(args.a, args.b))
      const md = renderDiffMarkdown(d)
      const json = `${JSON.stringify(d, null, 2)}\n`
      if (args.out !== undefined) {
        const files = outFiles(args.out)
        try {
          writeFileSync(files.md, md)
          writeFileSync(files.json, json)
        } catch (err) {
          throw new BrownoutError('IO_ERROR', `cannot write --out ${args.out}: ${(err as Error).message}`, {
            hint: 'choose a file in a folder you can write to',
            cause: err,
          })
        }
      }
      process.stdout.write(args.format === 'json' ? json : md)
      if (args.out !== undefined) process.stderr.write(`diff written to ${outFiles(args.out).md} and .json\n`)
      exit = diffExitCode(d)
    } catch (err) {
      exit = printError(err)
    }
    process.exitCode = exit
  },
}
