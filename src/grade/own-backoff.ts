import { defineCheck, noEvidence } from './check.js'
import { gapAfter } from './retry-gaps.js'

/**
 * The backoff a gateway chooses itself, where the answer named no usable delay: no Retry-After at all, or one it
 * cannot use (garbage, negative; the journal keeps no wait for them). A crash-free gateway that reads such a
 * header as NaN or a negative number and sleeps "0" retries at once: a tight loop against a struggling upstream.
 * Only first retries on the same upstream count (a failover owes no wait).
 */
export const ownBackoff = defineCheck({
  name: 'retries.own_backoff',
  summary:
    'gaps before first retries on the same upstream after an answer that named no usable delay (no Retry-After, or garbage or negative): the gateway’s own backoff; immediate retries (a tight loop) measure a few ms',
  unit: 'ms',
  stat: { kind: 'p', q: 50 },
  measure: (ctx) => {
    const gaps: Array<{ id: string; gap: number }> = []
    for (const r of ctx.attempted()) {
      const [a, b] = r.attempts
      const gap = gapAfter(r.attempts, 0)
      if (a && b && gap !== undefined && a.retryAfterMs === null && a.upstream === b.upstream)
        gaps.push({ id: r.id, gap })
    }
    if (gaps.length === 0) return noEvidence('no first retry on the same upstream after an answer with no usable delay')
    const shortest = [...gaps].sort((x, y) => x.gap - y.gap)
    return {
      value: null,
      sample: gaps.map((g) => g.gap),
      evidence: `${gaps.length} first retries the gateway timed itself`,
      examples: shortest.slice(0, 3).map((g) => g.id),
    }
  },
})
