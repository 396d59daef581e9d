import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers.js'

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname

describe('brownout run on a terminal', () => {
  it('keeps a live progress line on stderr and clears it before the results', async () => {
    const dir = tempDir('brownout-progress-')
    const file = join(dir, 'progress.yaml')
    writeFileSync(
      file,
      'name: progress\nupstreams: { primary: {} }\nload: { rate: 20/s }\nphases: [ { name: calm, duration: 1500ms } ]\n',
    )
    // `script` runs the CLI on a pseudo-terminal, so stderr is a TTY as in a user's shell.
    const { stdout } = await promisify(execFile)(
      'script',
      ['-qec', `${process.execPath} ${CLI} run ${file} --direct --out ${join(dir, 'out')}`, '/dev/null'],
      { env: { ...process.env, CI: '' }, timeout: 30_000 },
    )
    const shown = stdout.replaceAll('\r\x1b[2K', '<erase>')
    // Carriage return + erase-line, then the phase, elapsed/total seconds, rate, in flight and statuses.
    expect(shown).toMatch(/<erase>\[calm\] \d\/2s {2}\d+\.\d req\/s {2}in flight \d+ {2}200:\d+/)
    // The line is erased before the summary, which starts on a clean line.
    expect(shown).toMatch(/<erase> {2}30 requests \(ok 30\)/)
  })
})
