import { describe, expect, it } from 'vitest'
import { failures, runThroughGateway } from './matrix.js'

const MATRIX_SCENARIOS = [
  'transient-503',
  'fatal-400',
  'rate-limit-retry-after',
  'sustained-outage',
  'hang-first-attempt',
  'stream-reset-mid-stream',
]

describe('validity matrix: the correct gateway passes every scenario', () => {
  it.each(MATRIX_SCENARIOS)(
    '%s',
    async (name) => {
      const result = await runThroughGateway(name)
      expect(result.passed, failures(result)).toBe(true)
      expect(result.checks.filter((c) => c.verdict === 'fail' && c.required)).toEqual([])
    },
    30_000,
  )
})
