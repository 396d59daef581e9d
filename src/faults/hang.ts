import { z } from 'zod'
import { strikeAt, strikeEffect, whereFields } from './connection.js'
import { defineFault } from './fault.js'

export const hang = defineFault({
  type: 'hang',
  summary: 'Accept and never answer (or stop after headers / N bytes): the socket stays open until the client leaves',
  example: { type: 'hang' },
  effect: strikeEffect,
  schema: z.strictObject({ type: z.literal('hang'), ...whereFields }),
  apply: (cfg, plan) => strikeAt(plan, cfg, 'hang'),
})
