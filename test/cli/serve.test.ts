import { spawn } from 'node:child_process'
import { once } from 'node:events'
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { startServe } from '../serve-process.js'

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname

describe('brownout serve', () => {
  it('prints its URL, answers the SDK, and closes cleanly on SIGTERM', async () => {
    const { child, url } = startServe(['--port', '0', '--seed', '5'])
    try {
      const base = await url
      const client = new OpenAI({ apiKey: 'sk-fake', baseURL: `${base}/v1`, maxRetries: 0 })
      const res = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      })
      expect(res.choices[0]?.finish_reason).toBe('stop')
      child.kill('SIGTERM')
      const [code] = await once(child, 'exit')
      expect(code).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('stops on SIGINT too', async () => {
    const { child, url } = startServe(['--port', '0'])
    try {
      await url
      child.kill('SIGINT')
      const [code] = await once(child, 'exit')
      expect(code).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('refuses a port in use with a clear message and exit code 3', async () => {
    const first = startServe(['--port', '0'])
    try {
      const port = new URL(await first.url).port
      const second = spawn(process.execPath, [CLI, 'serve', '--port', port], { stdio: ['ignore', 'pipe', 'pipe'] })
      let stderr = ''
      second.stderr?.on('data', (d) => {
        stderr += d
      })
      const [code] = await once(second, 'exit')
      expect(code).toBe(3)
      expect(stderr).toContain('cannot listen')
      expect(stderr).toContain('hint:')
      expect(stderr).not.toMatch(/\n\s+at /)
    } finally {
      first.child.kill('SIGKILL')
    }
  })

  it('rejects an unknown option with usage exit code 2', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--prot', '1'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const [code] = await once(child, 'exit')
    expect(code).toBe(2)
  })
})
