import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname

/** Starts the built `brownout serve` with `args`; `url` resolves with the URL it prints (rejects if it exits first). */
export function startServe(args: string[]): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const url = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line)
      if (m?.[1]) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)))
  })
  return { child, url }
}
