import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers.js'
import { expectPasses, failures, runThroughGateway, verdictOf } from './matrix.js'

/**
 * Validity-matrix rows of Failover Bench S14 (cut stream, and the fallback rejects prefill): the primary cuts every
 * stream mid-way, the fallback refuses an assistant prefill with a 400. Resuming the cut stream with a prefill is
 * no fault by itself: masking the refusal (a clean end after it) is.
 */
const SCENARIO = 'stream-cut-prefill-rejected'

interface Attempt {
  upstream: string
  prefill?: boolean
  status: number
  rule: string | null
}

/** The journal's attempts whose request was an assistant prefill. */
function prefills(outDir: string): Attempt[] {
  return readFileSync(join(outDir, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Attempt)
    .filter((e) => e.prefill === true)
}

describe.concurrent('validity matrix (S14): a cut stream, and a fallback that rejects prefill', () => {
  it('the resilient gateway ends the committed stream with an error: passes, and sends no prefill', async () => {
    const outDir = tempDir('brownout-s14-')
    const result = await runThroughGateway(SCENARIO, { RETRY_BUDGET: '1', STREAM_PEEK: '1' }, { outDir })
    expectPasses(result)
    expect(verdictOf(result, 'client.truncated_success')).toBe('pass')
    expect(prefills(outDir)).toEqual([])
  }, 30_000)

  it('a gateway that resumes with a prefill and reports the refusal as an error passes', async () => {
    const result = await runThroughGateway(SCENARIO, { DEFECTS: 'resume-with-prefill' })
    expectPasses(result)
    expect(verdictOf(result, 'client.truncated_success')).toBe('pass')
  }, 30_000)

  it('resume-with-prefill + mask-prefill-rejection → client.truncated_success, and the journal shows the refused prefill', async () => {
    const outDir = tempDir('brownout-s14-')
    const result = await runThroughGateway(
      SCENARIO,
      { DEFECTS: 'resume-with-prefill,mask-prefill-rejection' },
      { outDir },
    )
    expect(verdictOf(result, 'client.truncated_success'), failures(result)).toBe('fail')
    expect(result.passed).toBe(false)
    const refused = prefills(outDir)
    expect(refused.length).toBeGreaterThan(0)
    expect(refused.every((e) => e.upstream === 'fallback' && e.status === 400 && e.rule === 'no-prefill')).toBe(true)
  }, 30_000)
})
