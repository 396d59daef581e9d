#!/usr/bin/env node
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { VERSION } from '../version.js'
import { benchCommand } from './bench.js'
import { diffCommand } from './diff.js'
import { listCommand } from './list.js'
import { mergeCommand } from './merge.js'
import { fail } from './output.js'
import { reportCommand } from './report.js'
import { runCommand } from './run.js'
import { schemaCommand } from './schema.js'
import { serveCommand } from './serve.js'
import { suiteCommand } from './suite.js'
import { validateCommand } from './validate.js'

await yargs(hideBin(process.argv))
  .scriptName('brownout')
  .usage('$0 <command> [options]\n\nChaos-test the gateways between your apps and LLM providers.')
  .command(serveCommand)
  .command(runCommand)
  .command(suiteCommand)
  .command(validateCommand)
  .command(reportCommand)
  .command(mergeCommand)
  .command(diffCommand)
  .command(listCommand)
  .command(schemaCommand)
  .command(benchCommand)
  .demandCommand(1, 'Name a command: brownout serve, or see brownout --help.')
  .strict()
  .recommendCommands()
  .version(VERSION)
  .help()
  .alias('h', 'help')
  .wrap(Math.min(110, process.stdout.columns || 110))
  .fail((message, err) => fail(err ?? message))
  .parseAsync()
