import { describe, expect, it } from 'vitest'
import { ExitCode, exitCodeForResults } from '../../src/errors.js'
import { NO_LAG } from '../../src/lag-stats.js'
import type { ClientRecord } from '../../src/load/record.js'
import { emptyRecord } from '../../src/load/send.js'
import { assessHarness, type HarnessInput, harnessBoundMs } from '../../src/run/harness.js'

function record(n: number, sendLagMs: number): ClientRecord {
  const base = { id: `r${n}`, n, api: 'openai.chat', model: 'm', stream: false, maxTokens: 8, phase: 'p' } as const
  return emptyRecord({ ...base, intendedAt: n * 10 }, sendLagMs)
}

function input(records: ClientRecord[], over: Partial<HarnessInput> = {}): HarnessInput {
  return {
    clientTimeoutMs: 10_000,
    eventLoop: { ...NO_LAG, count: 100, perSecondMaxMs: [] },
    records,
    journal: [],
    loadStartedAt: 0,
    upstreamTimingError: { ...NO_LAG },
    processes: null,
    warmup: null,
    ...over,
  }
}

describe('the harness-limited rule', () => {
  it('bounds lag at 250 ms, or a tenth of a shorter client timeout', () => {
    expect(harnessBoundMs(10_000)).toBe(250)
    expect(harnessBoundMs(1_000)).toBe(100)
  })

  it('one late request in a short run is not enough; a sustained send lag is', () => {
    const one = Array.from({ length: 20 }, (_, i) => record(i, i === 5 ? 400 : 2))
    expect(assessHarness(input(one)).limited).toBe(false)
    const many = Array.from({ length: 20 }, (_, i) => record(i, i >= 5 && i < 10 ? 400 : 2))
    const h = assessHarness(input(many))
    expect(h.limited).toBe(true)
    expect(h.reasons).toEqual(['send lag p99 400 ms (max 400 ms)'])
  })

  it('an event-loop stall over a second limits the run even when its p99 is low', () => {
    const records = [record(0, 1)]
    const eventLoop = { count: 1000, p99Ms: 5, maxMs: 1200, perSecondMaxMs: [1200] }
    expect(assessHarness(input(records, { eventLoop })).reasons).toEqual(['the event loop stalled for 1.20 s'])
  })

  it('client mode: the start lag from the intended send to the process start', () => {
    const records = Array.from({ length: 10 }, (_, i) => ({ ...record(i, 0), processStartMs: i * 10 + 300 }))
    const h = assessHarness(input(records, { processes: { cap: 2, peak: 2 } }))
    expect(h.clientProcesses?.startLag.p99Ms).toBe(300)
    expect(h.reasons).toEqual(['client process start lag p99 300 ms (max 300 ms)'])
  })

  it('exit codes: a trustworthy failure is 1, else harness-limited is 4', () => {
    const pass = { passed: true, harnessLimited: null }
    const fail = { passed: false, harnessLimited: null }
    const limited = { passed: false, harnessLimited: 'harness-limited: …' }
    expect(exitCodeForResults([pass])).toBe(ExitCode.ok)
    expect(exitCodeForResults([pass, limited])).toBe(ExitCode.harnessLimited)
    expect(exitCodeForResults([limited, fail])).toBe(ExitCode.checkFailed)
    expect(ExitCode.harnessLimited).toBe(4)
  })
})
