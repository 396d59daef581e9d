import { z } from 'zod'

/**
 * The catalogue's groups, in the order `brownout list scenarios` shows them: what part of a gateway's conduct a
 * scenario puts to the test. Adding a group is one line here.
 */
export const SCENARIO_GROUPS = [
  { name: 'retries', title: 'transient failures: retried, bounded, moved to another upstream' },
  { name: 'rate-limits', title: '429s: Retry-After honoured, quota never retried, buckets waited out' },
  { name: 'streams', title: 'streams that break after the first byte: an explicit error, never a clean end' },
  { name: 'transport', title: 'connections that hang, reset, refuse or answer slowly' },
  { name: 'overload', title: 'an overloaded provider: 529s, shedding, no retry storm' },
  { name: 'breakers', title: 'long outages: fail fast, stop hammering, notice the recovery' },
  { name: 'pass-through', title: 'what must reach the client unchanged: answers, and errors no retry can fix' },
  { name: 'incidents', title: 'real incidents as timelines: brownouts, flapping providers' },
] as const

export const GROUP_NAMES = SCENARIO_GROUPS.map((g) => g.name) as [
  (typeof SCENARIO_GROUPS)[number]['name'],
  ...Array<(typeof SCENARIO_GROUPS)[number]['name']>,
]
export type ScenarioGroup = (typeof GROUP_NAMES)[number]

const URL_SOURCE = /^https?:\/\/\S+$/
const DOCS_SOURCE = /^provider docs\b/

/** Where a scenario comes from: the field report it mirrors (an issue or PR URL), or `provider docs: <which>`. */
export const sourceSchema = z.string().refine((s) => URL_SOURCE.test(s.trim()) || DOCS_SOURCE.test(s.trim()), {
  message: 'a source is the URL of the issue or PR the scenario mirrors, or "provider docs: <the doc it follows>"',
})
