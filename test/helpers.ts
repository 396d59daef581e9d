import { afterAll, beforeAll } from 'vitest'
import { type RunningUpstream, type StartUpstreamOptions, startUpstream } from '../src/upstream/server.js'

/** Starts an upstream on port 0 for the file's tests and closes it afterwards. */
export function useUpstream(options: StartUpstreamOptions = {}): { readonly current: RunningUpstream } {
  const holder: { current?: RunningUpstream } = {}
  beforeAll(async () => {
    holder.current = await startUpstream({ port: 0, seed: 42, ...options })
  })
  afterAll(async () => {
    await holder.current?.close()
  })
  return {
    get current(): RunningUpstream {
      if (!holder.current) throw new Error('upstream not started yet')
      return holder.current
    },
  }
}

/** POSTs JSON (or a raw string) and returns status, headers and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, json, text }
}
