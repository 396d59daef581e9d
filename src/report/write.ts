import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GradeResult } from '../grade/grade.js'
import type { RunData } from '../record/run-data.js'
import { writeRepros } from '../repro/write.js'
import { renderHtml } from './html.js'
import { renderJunit } from './junit.js'
import { renderMarkdown } from './markdown.js'

/**
 * Writes result.json, junit.xml, summary.md and report.html for one or more graded runs, and a repro bundle
 * (`repro/<scenario>/<check>/`) for each failing check with example requests.
 */
export function writeReports(dir: string, graded: Array<{ result: GradeResult; data: RunData }>): void {
  const results = graded.map((g) => g.result)
  const json = results.length === 1 ? results[0] : { schema: 'brownout.results/1', results }
  writeFileSync(join(dir, 'result.json'), `${JSON.stringify(json, null, 2)}\n`)
  writeFileSync(join(dir, 'junit.xml'), renderJunit(results))
  writeFileSync(join(dir, 'summary.md'), renderMarkdown(results))
  writeFileSync(join(dir, 'report.html'), renderHtml(graded))
  for (const g of graded) writeRepros(dir, g.data, g.result)
}
