import { z } from 'zod'
import { strikeAt, strikeEffect, whereFields } from './connection.js'
import { defineFault } from './fault.js'

export const close = defineFault({
  type: 'close',
  summary: 'Connection closed (FIN) with no response (empty reply), or after headers / N body bytes',
  example: { type: 'close' },
  effect: strikeEffect,
  schema: z.strictObject({ type: z.literal('close'), ...whereFields }),
  apply: (cfg, plan) => strikeAt(plan, cfg, 'close'),
})
