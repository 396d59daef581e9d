import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { SCENARIO_GROUPS } from './groups.js'
import { readScenarioFile } from './load.js'

/** One scenario of a catalogue folder, as `brownout list scenarios` shows it. */
export interface CatalogueEntry {
  name: string
  file: string
  group: string | null
  source: string | null
  description: string
}

/** A group of the catalogue and its scenarios; `group: null` holds the scenarios that name none. */
export interface CatalogueGroup {
  group: string | null
  title: string
  scenarios: CatalogueEntry[]
}

/** Every scenario file of a folder, loaded and validated, sorted by file name. */
export function readCatalogue(dir: string): CatalogueEntry[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const s = readScenarioFile(join(dir, f))
      return {
        name: s.name,
        file: f,
        group: s.group ?? null,
        source: s.source ?? null,
        description: s.description.trim().replace(/\s+/g, ' '),
      }
    })
}

/** The catalogue by group, in the order of SCENARIO_GROUPS; empty groups are left out, ungrouped ones come last. */
export function groupCatalogue(entries: CatalogueEntry[]): CatalogueGroup[] {
  const groups: CatalogueGroup[] = SCENARIO_GROUPS.map((g) => ({
    group: g.name,
    title: g.title,
    scenarios: entries.filter((e) => e.group === g.name),
  }))
  groups.push({ group: null, title: 'scenarios that name no group', scenarios: entries.filter((e) => !e.group) })
  return groups.filter((g) => g.scenarios.length > 0)
}
