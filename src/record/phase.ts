import { z } from 'zod'

/** Where a phase sits on the run's timeline, ms since the load started (the fault engine's start upstream). */
export const phaseWindowSchema = z.object({ name: z.string(), startMs: z.number(), endMs: z.number() })

export type PhaseWindow = z.infer<typeof phaseWindowSchema>
