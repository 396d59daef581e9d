/** A string no real value contains, standing for hole `i`. */
const hole = (i: number) => `\u0000brownout-hole-${i}\u0000`

/** Where the quoted hole stands in `json`; it must stand there exactly once. */
function holeAt(json: string, quoted: string, what: string): number {
  const at = json.indexOf(quoted)
  if (at === -1 || json.indexOf(quoted, at + 1) !== -1) throw new Error(`${what} must occur once`)
  return at
}

const QUOTED_HOLE = JSON.stringify(hole(0))

/**
 * JSON text with one string value left open, for hot paths that send the same shape many times: `fill(s)` is
 * exactly `JSON.stringify(build(s))`, at the cost of stringifying `s` alone. `build` must put the hole in once.
 */
export function jsonTemplate(build: (hole: string) => unknown): (value: string) => string {
  const json = JSON.stringify(build(hole(0)))
  const at = holeAt(json, QUOTED_HOLE, 'jsonTemplate: the hole')
  const before = json.slice(0, at)
  const after = json.slice(at + QUOTED_HOLE.length)
  return (value) => before + JSON.stringify(value) + after
}

/**
 * JSON text with named holes, for a response shape sent many times: `fill(values)` is exactly
 * `JSON.stringify(build(values))` for JSON values (never undefined), stringifying only the values. `build` must
 * put each hole in once.
 */
export function jsonShape<K extends string>(
  names: readonly K[],
  build: (holes: Record<K, string>) => unknown,
): (values: Record<K, unknown>) => string {
  const holes = Object.fromEntries(names.map((name, i) => [name, hole(i)])) as Record<K, string>
  const json = JSON.stringify(build(holes))
  const found = names.map((name) => {
    const quoted = JSON.stringify(holes[name])
    const at = holeAt(json, quoted, `jsonShape: hole ${name}`)
    return { name, at, end: at + quoted.length }
  })
  found.sort((a, b) => a.at - b.at)
  const texts = found.map((h, i) => json.slice(i === 0 ? 0 : (found[i - 1]?.end ?? 0), h.at))
  const last = json.slice(found[found.length - 1]?.end ?? 0)
  const order = found.map((h) => h.name)
  return (values) => {
    let out = ''
    for (let i = 0; i < order.length; i++) out += (texts[i] ?? '') + JSON.stringify(values[order[i] as K])
    return out + last
  }
}
