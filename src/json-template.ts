/** A string no real value contains, standing for the hole. */
const HOLE = '\u0000brownout-hole\u0000'
const QUOTED_HOLE = JSON.stringify(HOLE)

/**
 * JSON text with one string value left open, for hot paths that send the same shape many times: `fill(s)` is
 * exactly `JSON.stringify(build(s))`, at the cost of stringifying `s` alone. `build` must put the hole in once.
 */
export function jsonTemplate(build: (hole: string) => unknown): (value: string) => string {
  const json = JSON.stringify(build(HOLE))
  const at = json.indexOf(QUOTED_HOLE)
  if (at === -1 || json.indexOf(QUOTED_HOLE, at + 1) !== -1) throw new Error('jsonTemplate: the hole must occur once')
  const before = json.slice(0, at)
  const after = json.slice(at + QUOTED_HOLE.length)
  return (value) => before + JSON.stringify(value) + after
}
