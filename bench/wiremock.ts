// WireMock, the usual HTTP mock server, as a second baseline: the same bytes from a stub mapping.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { freePort, type Server } from './lib.js'

const VERSION = '3.13.2'

/** The WireMock standalone jar (npm `wiremock` ships it), installed once into a cache outside the repo. */
export function wiremockJar(): string {
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'brownout-bench', `wiremock-${VERSION}`)
  const build = join(dir, 'node_modules/wiremock/build')
  if (!existsSync(build)) {
    mkdirSync(dir, { recursive: true })
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, `wiremock@${VERSION}`], {
      stdio: 'ignore',
    })
  }
  const jar = readdirSync(build).find((f) => f.endsWith('.jar'))
  if (!jar) throw new Error(`no WireMock jar in ${build}`)
  return join(build, jar)
}

/**
 * Starts WireMock answering POST `path` with `body` and `headers`, tuned for throughput the way its docs advise
 * for load tests (no request journal, no request logging), and waits until the stub answers.
 */
export async function startWireMock(
  dir: string,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<Server> {
  const jar = wiremockJar()
  mkdirSync(join(dir, 'mappings'), { recursive: true })
  writeFileSync(
    join(dir, 'mappings/chat.json'),
    JSON.stringify({ request: { method: 'POST', url: path }, response: { status: 200, body, headers } }),
  )
  const port = await freePort()
  const child = spawn(
    'java',
    [
      '-jar',
      jar,
      '--port',
      String(port),
      '--bind-address',
      '127.0.0.1',
      '--root-dir',
      dir,
      '--no-request-journal',
      '--disable-request-logging',
      '--disable-banner',
    ],
    { stdio: 'ignore' },
  )
  // No java on the PATH is an 'error' event, not an exception: keep it for the wait below to report.
  let spawnError: Error | undefined
  child.on('error', (err) => {
    spawnError = err
  })
  const kill = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null) return done()
      child.once('exit', () => done())
      child.kill('SIGTERM')
    })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (spawnError) throw new Error(`cannot start java: ${spawnError.message}`)
    if (child.exitCode !== null) throw new Error(`WireMock exited with ${child.exitCode}`)
    try {
      const res = await request(`${url}${path}`, { method: 'POST', body: '{}' })
      await res.body.dump()
      if (res.statusCode === 200) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await kill()
      throw new Error('WireMock did not answer within 60 s')
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  return { url, pid: child.pid ?? 0, kill }
}
