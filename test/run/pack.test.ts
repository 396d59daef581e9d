import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const ROOT = new URL('../..', import.meta.url).pathname
const temp = mkdtempSync(join(tmpdir(), 'brownout-pack-'))

afterAll(() => rmSync(temp, { recursive: true, force: true }))

/** npm, quietly, in `cwd`; its output when it fails. */
async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    maxBuffer: 16 << 20,
  })
  return stdout
}

describe('the published package', () => {
  it('installed into an empty folder, runs `brownout suite` on its own catalogue and reference SUT', async () => {
    expect(existsSync(join(ROOT, 'dist/cli/main.js')), 'build first: npm run build').toBe(true)
    // dist is already built (npm test builds before vitest): no prepare script while packing.
    await npm(['pack', '--ignore-scripts', '--pack-destination', temp], ROOT)
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    const tarball = join(temp, `brownout-${version}.tgz`)
    const app = join(temp, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n')
    const install = ['install', '--ignore-scripts', tarball]
    // The dependencies come from npm's cache; a cache without their metadata may ask the registry.
    await npm([...install, '--offline'], app).catch(() => npm([...install, '--prefer-offline'], app))
    const pkg = join(app, 'node_modules/brownout')
    for (const f of ['dist/index.d.ts', 'scenarios/auth-401.yaml', 'examples/gateways/resilient.sut.yaml'])
      expect(existsSync(join(pkg, f)), f).toBe(true)
    expect(readFileSync(join(pkg, 'dist/index.d.ts'), 'utf8')).toContain('runScenario')

    const { stdout } = await run(
      'npx',
      [
        '--no-install',
        'brownout',
        'suite',
        '--only',
        'auth-401',
        '--fast',
        '--sut',
        join(pkg, 'examples/gateways/resilient.sut.yaml'),
      ],
      { cwd: app },
    )
    expect(stdout).toMatch(/^auth-401 +resilient-gateway: pass$/m)
    expect(stdout).toMatch(/resilience score +100%/)
    // The library, as a user's code imports it.
    const { stdout: exported } = await run(
      process.execPath,
      ['--input-type=module', '-e', "const b = await import('brownout'); console.log(Object.keys(b).sort().join(' '))"],
      { cwd: app },
    )
    for (const name of ['startUpstream', 'runScenario', 'grade', 'loadRun', 'writeReports'])
      expect(exported.split(/\s+/)).toContain(name)
  }, 120_000)
})
