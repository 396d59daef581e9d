/** One thing wrong with an input file, located precisely. */
export interface Problem {
  file: string
  line: number
  col: number
  message: string
  hint?: string
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`
}

/**
 * One line per schema issue (zod's, or one shaped like it): `faults.0.fault.status: Too big`. `prefix` goes
 * before every path; `whenEmpty` names the root when an issue has no path.
 */
export function issueLines(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  prefix = '',
  whenEmpty = '',
): string[] {
  return issues.map((i) => `${prefix}${i.path.join('.') || whenEmpty}: ${i.message}`)
}

/** Edit distance, for "did you mean" hints. */
export function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = current
    }
  }
  return row[b.length] ?? 0
}

/** The closest known word, if it is close enough to be what was meant. */
export function didYouMean(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const d = levenshtein(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined
}
