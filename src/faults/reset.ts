import { z } from 'zod'
import { strikeAt, strikeEffect, whereFields } from './connection.js'
import { defineFault } from './fault.js'

export const reset = defineFault({
  type: 'reset',
  summary: 'TCP RST (ECONNRESET at the client): before headers, after headers, or after N body bytes',
  example: { type: 'reset', at: 'after-bytes', bytes: 200 },
  effect: strikeEffect,
  schema: z.strictObject({ type: z.literal('reset'), ...whereFields }),
  apply: (cfg, plan) => strikeAt(plan, cfg, 'reset'),
})
