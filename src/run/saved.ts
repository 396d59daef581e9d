import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BrownoutError } from '../errors.js'
import type { RunData } from '../grade/context.js'
import { scenarioSchema } from '../scenario/schema.js'

function jsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return []
  const out: T[] = []
  for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim() !== '') out.push(JSON.parse(line) as T)
  return out
}

/** Reads a saved run folder (run.json, scenario.json, requests.jsonl, journal.jsonl) back into run data. */
export function loadRun(dir: string): RunData {
  const need = (name: string) => {
    const file = join(dir, name)
    if (!existsSync(file)) {
      throw new BrownoutError('INVALID_USAGE', `${dir} is not a brownout run folder: ${name} is missing`, {
        hint: 'pass the --out folder of a `brownout run`',
      })
    }
    return file
  }
  try {
    return {
      meta: JSON.parse(readFileSync(need('run.json'), 'utf8')),
      scenario: scenarioSchema.parse(JSON.parse(readFileSync(need('scenario.json'), 'utf8'))),
      records: jsonLines(join(dir, 'requests.jsonl')),
      journal: jsonLines(join(dir, 'journal.jsonl')),
    }
  } catch (err) {
    if (err instanceof BrownoutError) throw err
    throw new BrownoutError('INVALID_USAGE', `cannot read the run in ${dir}: ${(err as Error).message}`, { cause: err })
  }
}
