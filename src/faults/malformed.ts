import { z } from 'zod'
import type { Plan } from '../upstream/plan.js'
import { errorAnswer } from './effect.js'
import { defineFault } from './fault.js'

const HTML_502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>cloudflare</center>
</body>
</html>
`

function bodyOf(plan: Plan): string {
  return plan.steps.map((s) => (s.kind === 'write' ? s.data.toString() : '')).join('')
}

function replaceBody(plan: Plan, status: number, contentType: string, body: string, contentLength?: number): Plan {
  const atMs = plan.headersAtMs ?? 0
  const headers: Record<string, string> = {
    ...plan.headers,
    'content-type': contentType,
    'content-length': String(contentLength ?? Buffer.byteLength(body)),
  }
  delete headers['cache-control']
  const ending = contentLength !== undefined && contentLength > Buffer.byteLength(body) ? 'close' : 'end'
  return {
    ...plan,
    status,
    headers,
    steps: [
      { kind: 'write', atMs, data: body },
      { kind: ending, atMs },
    ],
  }
}

export const malformed = defineFault({
  type: 'malformed',
  summary: '200 with invalid JSON, schema-invalid JSON, a truncated body (short content-length), or an HTML 502 page',
  example: { type: 'malformed', kind: 'html' },
  effect: {
    summary: 'mid-stream: a 200 the client cannot read (nothing of the answer); html: a 502, transient',
    of: (_cfg, plan) => (plan.status === 200 ? { effect: 'mid-stream', content: 'none' } : errorAnswer(plan.status)),
  },
  schema: z.strictObject({
    type: z.literal('malformed'),
    kind: z
      .enum(['invalid-json', 'schema', 'truncated', 'html'])
      .default('invalid-json')
      .describe('invalid-json, schema (valid JSON, wrong shape), truncated (body shorter than content-length), html'),
  }),
  apply: (cfg, plan) => {
    const body = isJsonBody(plan) ? bodyOf(plan) : '{"id":"resp","object":"chat.completion","choices":[{"index":0}]}'
    switch (cfg.kind) {
      case 'invalid-json':
        return replaceBody(plan, 200, 'application/json', `${body.slice(0, Math.floor(body.length / 2))}<<not json`)
      case 'schema':
        return replaceBody(
          plan,
          200,
          'application/json',
          JSON.stringify({ object: 'unexpected', data: null, result: 42 }),
        )
      case 'truncated':
        return replaceBody(
          plan,
          200,
          'application/json',
          body.slice(0, Math.floor(body.length / 2)),
          Buffer.byteLength(body),
        )
      case 'html':
        return replaceBody(plan, 502, 'text/html', HTML_502)
    }
  },
})

function isJsonBody(plan: Plan): boolean {
  return (plan.headers['content-type'] ?? '').startsWith('application/json')
}
