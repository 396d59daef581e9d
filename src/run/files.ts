import { createWriteStream, mkdirSync, type WriteStream, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { BrownoutError } from '../errors.js'

/** The run folder: checked writable up front, so a bad --out fails before anything starts. */
export function prepareOutDir(dir: string): string {
  try {
    makeDirs(dir)
    writeFileSync(join(dir, '.brownout-write-test'), '')
    return dir
  } catch (err) {
    throw new BrownoutError('IO_ERROR', `cannot write to --out ${dir}: ${(err as Error).message}`, {
      hint: 'choose a folder you can write to',
      cause: err,
    })
  }
}

/**
 * mkdir -p without `recursive: true`, which loops forever on some file systems (/proc) in Node 20.
 * Bounded by the depth of the path.
 */
function makeDirs(dir: string, depth = 0): void {
  try {
    mkdirSync(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return
    const parent = dirname(dir)
    if (code !== 'ENOENT' || parent === dir || depth > 64) throw err
    makeDirs(parent, depth + 1)
    mkdirSync(dir)
  }
}

/** A JSON-lines file written as records arrive, so an interrupted run keeps what it collected. */
export class JsonLines {
  private stream: WriteStream
  count = 0

  constructor(file: string) {
    this.stream = createWriteStream(file, { flags: 'w' })
    this.stream.on('error', () => undefined)
  }

  write(value: unknown): void {
    this.count++
    this.stream.write(`${JSON.stringify(value)}\n`)
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()))
  }
}

export function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}
