import type { IncomingMessage } from 'node:http'

export type BodyResult =
  | { kind: 'ok'; raw: string }
  | { kind: 'too-large'; limitBytes: number; declaredBytes?: number }
  | { kind: 'aborted' }

/** Reads a request body up to `limitBytes`; past the limit it stops reading and says so. */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.pause()
    return Promise.resolve({ kind: 'too-large', limitBytes, declaredBytes: declared })
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const settle = (result: BodyResult) => {
      if (done) return
      done = true
      // After the end no data comes; before it (too large, aborted), stop collecting.
      if (result.kind !== 'ok') req.removeAllListeners('data')
      resolve(result)
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limitBytes) {
        req.pause()
        settle({ kind: 'too-large', limitBytes })
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => settle({ kind: 'ok', raw: Buffer.concat(chunks, size).toString('utf8') }))
    req.on('error', () => settle({ kind: 'aborted' }))
    req.on('close', () => settle({ kind: 'aborted' }))
  })
}
