import type { Dialect } from './dialect.js'

/**
 * Every API brownout speaks, one line each. `ApiName` (and so the `api` a scenario may name) derives from this
 * list, the upstream's router is built from its routes, and the dialect contract suite runs every entry.
 * To add an API: write its folder (copy a neighbour), then add its line here.
 *
 * (Filled in as the dialects move in; until then src/scenario/schema.ts still owns API_NAMES.)
 */
export const DIALECTS = [] as const satisfies readonly Dialect[]
