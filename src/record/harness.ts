import { z } from 'zod'

/** How late something happened against its plan: count, 99th percentile and worst (ms). See lag-stats.ts. */
const lagStatsSchema = z.object({ count: z.number(), p99Ms: z.number(), maxMs: z.number() })

/** brownout's own measurements of itself during a run (run.json `harness`), and whether they limit the verdict. */
export const harnessMetaSchema = z.object({
  /** The bound (ms) on brownout's own lag above which the run is harness-limited. */
  boundMs: z.number(),
  /** The event loop's delay over the run, with the worst of each second. */
  eventLoop: lagStatsSchema.extend({ perSecondMaxMs: z.array(z.number()) }),
  /** Intended send → actually sent (the driver's send lag). */
  sendLag: lagStatsSchema,
  /** How late the upstreams' scheduled writes (tokens, delays) went out. */
  upstreamTimingError: lagStatsSchema,
  /** Client mode: the process cap, the most run at once, their start lag and their first attempt's lag. */
  clientProcesses: z
    .object({ cap: z.number(), peak: z.number(), startLag: lagStatsSchema, firstAttemptLag: lagStatsSchema })
    .nullable(),
  /** The unmeasured warm-up before the load, or null when there was none. */
  warmup: z.object({ requests: z.number(), durationMs: z.number(), url: z.string() }).nullable(),
  /** brownout could not keep up: the SUT's checks are reported but not a verdict on it. */
  limited: z.boolean(),
  /** Each measured lag past the bound, in words. */
  reasons: z.array(z.string()),
})

export type HarnessMeta = z.infer<typeof harnessMetaSchema>
export type ClientProcessLag = NonNullable<HarnessMeta['clientProcesses']>

/** The one-paragraph message of a harness-limited run: what lagged, and what to do about it. */
export function harnessMessage(h: HarnessMeta): string {
  const clientHint = h.clientProcesses
    ? `, fewer client processes (max_processes, now ${h.clientProcesses.cap}) or a client that starts faster`
    : ''
  return (
    `harness-limited: brownout could not keep up (${h.reasons.join('; ')}; bound ${fmtMs(h.boundMs)}), so the ` +
    `SUT's checks below are not a verdict on it. Lower the rate${clientHint}, give brownout more cores, or run ` +
    `the SUT on another machine.`
  )
}

/** A lag for people: `230 ms`, `1.25 s`. */
export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`
}
