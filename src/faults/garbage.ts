import { z } from 'zod'
import { defineFault } from './fault.js'

export const garbage = defineFault({
  type: 'garbage',
  summary: 'Bytes that are not HTTP at all, then close',
  example: { type: 'garbage', size: 64 },
  effect: { effect: 'transient', content: 'none' },
  schema: z.strictObject({
    type: z.literal('garbage'),
    size: z.number().int().positive().max(1_000_000).default(64).describe('how many random bytes'),
    text: z.string().optional().describe('send this text instead of random bytes'),
  }),
  apply: (cfg, plan, ctx) => {
    const bytes = cfg.text !== undefined ? Buffer.from(cfg.text) : Buffer.alloc(cfg.size)
    if (cfg.text === undefined) for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(ctx.rng() * 256)
    if (bytes.subarray(0, 5).toString('latin1') === 'HTTP/') bytes[0] = 0
    const atMs = plan.headersAtMs ?? 0
    return {
      ...plan,
      headersAtMs: null,
      steps: [
        { kind: 'raw', atMs, data: bytes },
        { kind: 'close', atMs },
      ],
    }
  },
})
