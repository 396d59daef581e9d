import { describe, expect, it } from 'vitest'
import { describeScenarios } from '../../src/cli/list.js'
import { CATALOGUE_DIR } from '../../src/cli/suite.js'
import { type CatalogueEntry, groupCatalogue, readCatalogue } from '../../src/scenario/catalogue.js'
import { GROUP_NAMES } from '../../src/scenario/groups.js'
import { scenarioSchema } from '../../src/scenario/schema.js'

const entry = (name: string, group: string | null): CatalogueEntry => ({
  name,
  file: `${name}.yaml`,
  group,
  source: group ? 'provider docs: x' : null,
  description: `${name} proves something`,
})

const minimal = { name: 'x', upstreams: { primary: { provider: 'openai' } } }

describe('the scenario catalogue', () => {
  const catalogue = readCatalogue(CATALOGUE_DIR)

  it('every catalogue scenario names its group and the field report it comes from', () => {
    const lacking = catalogue.filter((s) => !s.group || !s.source).map((s) => s.file)
    expect(lacking).toEqual([])
    expect(catalogue.length).toBeGreaterThanOrEqual(32)
  })

  it('every group a scenario names is a known group, and groups come in the declared order', () => {
    const groups = groupCatalogue(catalogue)
    expect(groups.every((g) => g.group !== null)).toBe(true)
    const order = groups.map((g) => GROUP_NAMES.indexOf(g.group as (typeof GROUP_NAMES)[number]))
    expect(order).toEqual([...order].sort((a, b) => a - b))
  })

  it('scenarios that name no group are listed last, not dropped', () => {
    const groups = groupCatalogue([entry('b', null), entry('a', 'streams'), entry('c', 'retries')])
    expect(groups.map((g) => [g.group, g.scenarios.map((s) => s.name)])).toEqual([
      ['retries', ['c']],
      ['streams', ['a']],
      [null, ['b']],
    ])
  })

  it('the listing shows each group with its count, and each scenario with its source', () => {
    const text = describeScenarios(groupCatalogue([entry('a', 'streams'), entry('b', null)]))
    expect(text).toBe(
      [
        '── streams (1): streams that break after the first byte: an explicit error, never a clean end',
        'a\n  a proves something\n  from: provider docs: x',
        '',
        '── ungrouped (1): scenarios that name no group',
        'b\n  b proves something',
      ].join('\n'),
    )
  })
})

describe('group and source in a scenario', () => {
  it('are optional: a scenario of your own needs neither', () => {
    expect(scenarioSchema.safeParse(minimal).success).toBe(true)
  })

  it('an unknown group is rejected with the known ones', () => {
    const r = scenarioSchema.safeParse({ ...minimal, group: 'weather' })
    expect(r.success).toBe(false)
    expect(JSON.stringify(r.error?.issues)).toContain('rate-limits')
  })

  it('a source is a URL or "provider docs: …"; anything else says how to write one', () => {
    expect(scenarioSchema.safeParse({ ...minimal, source: 'https://github.com/o/r/issues/1' }).success).toBe(true)
    expect(scenarioSchema.safeParse({ ...minimal, source: 'provider docs: Anthropic errors' }).success).toBe(true)
    const r = scenarioSchema.safeParse({ ...minimal, source: 'a blog somewhere' })
    expect(r.success).toBe(false)
    expect(r.error?.issues[0]?.message).toContain('provider docs')
  })
})
