import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { GradeResult } from '../../src/grade/grade.js'
import { loadRun } from '../../src/record/saved.js'
import { brownoutCli, tempDir } from '../helpers.js'
import { useRedis } from '../redis.js'
import { startServe } from '../serve-process.js'

/**
 * deploy/'s topology as processes on loopback: Redis, two `serve --scenario … --state redis://…` replicas behind one
 * address (a round-robin balancer, as a Service would be), two load segments through the gateway, merge, report.
 * Its verdicts must be those of one process running the same scenario and seed.
 */
const SCENARIO = new URL('../../scenarios/transient-503.yaml', import.meta.url).pathname
const GATEWAY = new URL('../../examples/gateways/resilient.sut.yaml', import.meta.url).pathname

const redis = useRedis()
const children: ChildProcess[] = []
const servers: Server[] = []
afterAll(async () => {
  for (const server of servers) server.close()
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await exited
  }
})

/** One address in front of the replicas: each request to the next replica in turn. Counts what each one got. */
async function balancer(targets: string[]): Promise<{ url: string; served: number[] }> {
  const served = targets.map(() => 0)
  let next = 0
  const server = createServer((req, res) => {
    const i = next++ % targets.length
    served[i] = (served[i] ?? 0) + 1
    const target = new URL(req.url ?? '/', targets[i])
    const upstream = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, served }
}

const verdicts = (dir: string) => {
  const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as GradeResult
  return Object.fromEntries(result.checks.map((c) => [c.key, c.verdict]))
}
const attempts = (dir: string) =>
  loadRun(dir)
    .journal.map((e) => `${e.upstream} ${e.requestId}#${e.attempt} ${e.status}`)
    .sort()

describe('the deploy/ topology on loopback', () => {
  it('two replicas on one Redis, two segments, merge and report: the verdicts of one process', async () => {
    const dir = tempDir('brownout-topology-')
    const replicas = [0, 1].map(() => {
      const serve = startServe([
        '--scenario',
        SCENARIO,
        '--upstream',
        'primary',
        '--state',
        redis.current.url,
        '--run-id',
        `topology-${process.pid}`,
        '--port',
        '0',
      ])
      children.push(serve.child)
      return serve.url
    })
    const front = await balancer(await Promise.all(replicas))

    const segments = [1, 2].map((k) =>
      brownoutCli(
        [
          'run',
          SCENARIO,
          '--sut',
          GATEWAY,
          '--upstream-url',
          `primary=${front.url}`,
          '--segment',
          `${k}/2`,
          '--out',
          join(dir, `seg-${k}`),
        ],
        (child) => children.push(child),
      ),
    )
    for (const seg of await Promise.all(segments)) expect(seg.code, seg.stderr).toBe(0)
    const merged = await brownoutCli(['merge', join(dir, 'seg-1'), join(dir, 'seg-2'), '--out', join(dir, 'run')])
    const report = await brownoutCli(['report', join(dir, 'run')])
    // The same scenario and seed in one process, its upstream its own.
    const single = await brownoutCli(['run', SCENARIO, '--sut', GATEWAY, '--out', join(dir, 'whole')], (child) =>
      children.push(child),
    )

    // Both replicas served, and the attempts of a request counted together wherever they landed: every request
    // met its 503 on attempt 1 and its answer on attempt 2, as in one process.
    expect(front.served.every((n) => n > 0)).toBe(true)
    expect(attempts(join(dir, 'run'))).toEqual(attempts(join(dir, 'whole')))
    expect(verdicts(join(dir, 'run'))).toEqual(verdicts(join(dir, 'whole')))
    expect([merged.code, report.code]).toEqual([single.code, single.code])
    expect(single.code, single.stderr).toBe(0)
  }, 120_000)
})
