import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * A module to run in another process, `name` beside the module at `base` (its `import.meta.url`): the built
 * JavaScript, or (run from the TypeScript sources) the .ts file through tsx.
 */
export function workerModule(base: string, name: string): { path: string; execArgv: string[] } {
  const js = fileURLToPath(new URL(`./${name}.js`, base))
  if (existsSync(js)) return { path: js, execArgv: [] }
  return { path: fileURLToPath(new URL(`./${name}.ts`, base)), execArgv: ['--import', 'tsx'] }
}
