import type { CheckResult, GradeResult } from '../grade/grade.js'
import { parseCheckKey } from '../grade/threshold.js'
import { requestId, runIdFor, templateFor } from '../load/driver.js'
import type { ClientRecord } from '../load/record.js'
import { buildRequest } from '../load/request.js'
import type { RunData } from '../record/run-data.js'
import type { RequestTemplate, Scenario } from '../scenario/schema.js'
import type { JournalEntry } from '../upstream/journal.js'

/** One repro bundle: the files of `repro/<scenario>/<check>/`, by name. */
export interface ReproBundle {
  /** The folder under the run's, e.g. `repro/transient-503/retries.transient_retried`. */
  dir: string
  check: string
  /** The narrowed scenario (plain data, ready for YAML). */
  scenario: Scenario
  /** Every file but scenario.yaml (the writer renders `scenario` as YAML). */
  files: Record<'curl.sh' | 'journal.jsonl' | 'requests.jsonl' | 'README.md', string>
}

type Rule = Scenario['upstreams'][string]['faults'][number]

/** A name safe as one path segment (a check key such as `retries.amplification[storm]` has brackets). */
export function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/_+$/, '') || 'unnamed'
}

/**
 * The requests a bundle replays: the failing check's examples, those that reached the SUT, all of one request
 * template (with a `mix`, the narrowed run sends one template: a request's pick depends on its number).
 */
function chosenRecords(data: RunData, check: CheckResult): ClientRecord[] {
  const byId = new Map(data.records.map((r) => [r.id, r]))
  const records = check.examples
    .map((e) => byId.get(e.id))
    .filter((r): r is ClientRecord => r !== undefined && r.outcome !== 'not-sent')
  const first = records[0]
  if (!first) return []
  const template = templateFor(data.scenario.load, data.scenario.seed, first.n)
  return records.filter((r) => templateFor(data.scenario.load, data.scenario.seed, r.n) === template)
}

/**
 * Checks that judge the load as a whole (a breaker's probes, recovery after a phase, shedding): a few requests
 * replayed alone cannot show them. Their bundle keeps the scenario's own rules and cuts the load after the last
 * example request instead (`cutScenario`).
 */
export const WHOLE_LOAD = /^(breaker|recovery|overload)\./

/** The scenario as it ran, up to and including the request numbered `lastN` (`load.requests: lastN + 1`). */
export function cutScenario(data: RunData, lastN: number, check: CheckResult): Scenario {
  const { scenario } = data
  return {
    ...scenario,
    description:
      `Repro of ${check.key} in ${scenario.name}: the run up to request ${lastN}. ${scenario.description}`.trim(),
    load: { ...scenario.load, requests: lastN + 1 },
    expect: narrowExpect(scenario, check),
  }
}

/**
 * The scenario's expectations with only the failing check required, under `key` (its own key by default): the
 * others stay, advisory (what the scenario relaxed stays relaxed; what it asked for cannot fail the repro for want
 * of evidence in a few requests). Defaults apply as in the run.
 */
function narrowExpect(scenario: Scenario, check: CheckResult, key = check.key): Scenario['expect'] {
  const expect: Scenario['expect'] = {}
  for (const [k, v] of Object.entries(scenario.expect)) {
    if (k === check.key || k === key) continue
    expect[k] = typeof v === 'object' ? { ...v, required: false } : { threshold: v, required: false }
  }
  const own = scenario.expect[check.key]
  expect[key] = own ?? check.threshold
  return expect
}

/**
 * The original scenario narrowed to the chosen requests: `load.requests: N` (the first N arrivals of its schedule,
 * at its rate), and on each upstream one rule per faulted attempt of theirs, matched by the narrowed request id
 * and the attempt number, carrying the faults of the rule that fired then. Every other attempt is healthy. The
 * name and seed stay, so the narrowed run's ids are `brn-<same run id>-0…N-1` and its content is the same.
 */
export function narrowScenario(data: RunData, chosen: readonly ClientRecord[], check: CheckResult): Scenario {
  const { scenario } = data
  const runId = runIdFor(scenario.name, scenario.seed)
  const newId = new Map(chosen.map((r, i) => [r.id, requestId(runId, i)]))
  const upstreams = Object.fromEntries(
    Object.entries(scenario.upstreams).map(([name, upstream]) => {
      const original = new Map(upstream.faults.map((rule, i) => [rule.name ?? String(i), rule]))
      const faults: Rule[] = []
      for (const entry of data.journal) {
        const id = newId.get(entry.requestId)
        const rule = entry.rule === null ? undefined : original.get(entry.rule)
        if (entry.upstream !== name || id === undefined || !rule || entry.faults.length === 0) continue
        const list = rule.faults ?? (rule.fault ? [rule.fault] : [])
        faults.push({ name: entry.rule ?? undefined, when: { request_id: id, attempt: entry.attempt }, faults: list })
      }
      const order = (r: Rule) => [...newId.values()].indexOf(String(r.when.request_id)) * 1000 + Number(r.when.attempt)
      faults.sort((a, b) => order(a) - order(b))
      return [name, { ...upstream, faults }]
    }),
  )
  const first = chosen[0]
  const template = first ? templateFor(scenario.load, scenario.seed, first.n) : scenario.load.request
  const { mix: _mix, ...load } = scenario.load
  // A phase-scoped check reads the whole narrowed run: its few requests need not fall in that phase.
  const expect = narrowExpect(scenario, check, parseCheckKey(check.key).name)
  return {
    ...scenario,
    description:
      `Repro of ${check.key} in ${scenario.name}: ${chosen.length} request(s) replayed with the faults they met. ${scenario.description}`.trim(),
    upstreams,
    load: { ...load, request: template, requests: chosen.length },
    expect,
  }
}

const SECRET = /authorization|api-key|api_key|token|secret/i

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

/** A curl command for one request as brownout sent it to the SUT (its headers, the id header included). */
export function curlFor(template: RequestTemplate, id: string, sutUrl: string): string {
  const built = buildRequest(template, id)
  // brownout's own placeholder keys stay; a key the scenario wrote is never copied into a bundle.
  const shown = (k: string, v: string) => (SECRET.test(k) && !v.includes('brownout') ? 'REDACTED' : v)
  const headers = Object.entries(built.headers).map(([k, v]) => `  -H ${shellQuote(`${k}: ${shown(k, v)}`)} \\`)
  return [
    '#!/bin/sh',
    `# The first failing request, as the repro run sends it (id ${id}: the narrowed scenario's faults match it).`,
    "# The SUT's URL changes from run to run: set SUT_URL. Add the headers your SUT profile sets (auth), if any.",
    `SUT_URL="\${SUT_URL:-${sutUrl || 'http://127.0.0.1:8080'}}"`,
    `curl -sS -i -X POST "$SUT_URL${built.path}" \\`,
    ...headers,
    `  --data-binary ${shellQuote(built.body)}`,
    '',
  ].join('\n')
}

function readme(
  data: RunData,
  check: CheckResult,
  chosen: readonly ClientRecord[],
  narrowed: Scenario,
  dir: string,
  whole: boolean,
): string {
  const runId = runIdFor(data.scenario.name, data.scenario.seed)
  const rows = chosen.map((r, i) => {
    const inRepro = whole ? r.id : requestId(runId, i)
    const attempts = data.journal.filter((e) => e.requestId === r.id)
    const faults = attempts
      .map((e) => `#${e.attempt} ${e.upstream} ${e.faults.length > 0 ? e.faults.join('+') : (e.status ?? e.endedBy)}`)
      .join(', ')
    return `| ${r.id} | ${inRepro} | ${r.outcome}${r.status !== null ? ` ${r.status}` : ''} | ${faults || 'no upstream attempt'} |`
  })
  const rules = Object.values(narrowed.upstreams).reduce((n, u) => n + u.faults.length, 0)
  return [
    `# Repro: \`${check.key}\` failed in \`${data.scenario.name}\``,
    '',
    `- **Check:** ${check.summary}`,
    `- **Measured:** ${check.value ?? 'no evidence'} against \`${check.threshold}\` (${check.evidence})`,
    `- **SUT:** ${data.meta.sut.name ?? data.meta.sut.mode} ${data.meta.sut.url}`,
    `- **Seed:** ${data.scenario.seed}; brownout ${data.meta.brownout}`,
    '',
    ...(whole
      ? [
          `This check judges the load as a whole, which a few requests replayed alone cannot show: the scenario keeps its`,
          `own fault rules and stops after request ${narrowed.load.requests ?? 0} of the run (\`load.requests\`), the`,
          'last of the examples below.',
        ]
      : [
          `The narrowed scenario sends ${chosen.length} request(s) at the scenario's rate and replays, attempt by attempt,`,
          `the ${rules} fault(s) the failing requests met (matched by \`request_id\` and \`attempt\`); every other attempt`,
          'is answered normally. A failure that needs the rest of the load (a retry budget, rate-limit buckets) may need',
          'the full scenario to show again.',
        ]),
    '',
    '| request in the run | request in the repro | what the client got | attempts (upstream, fault or status) |',
    '|---|---|---|---|',
    ...rows,
    '',
    '## Rerun',
    '',
    '```sh',
    `brownout run ${dir}/scenario.yaml --sut <your SUT profile>   # or --target URL`,
    '```',
    '',
    '- `scenario.yaml`: the narrowed scenario.',
    '- `curl.sh`: one failing request as brownout sent it (run it against a SUT whose upstream is the narrowed run).',
    '- `journal.jsonl`: the upstream attempts of the failing requests (one line per attempt, as in the run).',
    '- `requests.jsonl`: what the client got for each of them.',
    '',
  ].join('\n')
}

/**
 * The repro bundles of a graded run: one per failing check that names example requests which reached the SUT.
 * Pure: the caller writes the files (`writeRepros`).
 */
export function reproBundles(data: RunData, result: GradeResult): ReproBundle[] {
  const bundles: ReproBundle[] = []
  const seen = new Set<string>()
  for (const check of result.checks) {
    if (check.verdict !== 'fail') continue
    const chosen = chosenRecords(data, check)
    if (chosen.length === 0) continue
    const dir = `repro/${safeSegment(data.scenario.name)}/${safeSegment(check.key)}`
    if (seen.has(dir)) continue
    seen.add(dir)
    const whole = WHOLE_LOAD.test(check.name)
    const narrowed = whole
      ? cutScenario(data, Math.max(...chosen.map((r) => r.n)), check)
      : narrowScenario(data, chosen, check)
    const ids = new Set(chosen.map((r) => r.id))
    const lines = (xs: ReadonlyArray<JournalEntry | ClientRecord>) => xs.map((x) => `${JSON.stringify(x)}\n`).join('')
    const first = chosen[0] as ClientRecord
    bundles.push({
      dir,
      check: check.key,
      scenario: narrowed,
      files: {
        'curl.sh': curlFor(
          templateFor(data.scenario.load, data.scenario.seed, first.n),
          whole ? first.id : requestId(runIdFor(data.scenario.name, data.scenario.seed), 0),
          data.meta.sut.url,
        ),
        'journal.jsonl': lines(data.journal.filter((e) => ids.has(e.requestId))),
        'requests.jsonl': lines(data.records.filter((r) => ids.has(r.id))),
        'README.md': readme(data, check, chosen, narrowed, dir, whole),
      },
    })
  }
  return bundles
}
