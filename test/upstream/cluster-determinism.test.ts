import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Answer, chat, journal, type ServeProcess, startServe } from './serve-process.js'

const config = {
  faults: [
    { name: 'flaky', when: { attempt: 1, probability: 0.5 }, fault: { type: 'error', status: 503 } },
    { name: 'fourth', when: { every: 4 }, fault: { type: 'error', status: 500 } },
  ],
}

/** What a client saw: the status, and the generated text of an answer. */
function seen(answer: Answer): [number, string | undefined] {
  const body = JSON.parse(answer.body) as { choices?: Array<{ message?: { content?: string } }> }
  return [answer.status, body.choices?.[0]?.message?.content]
}

/** Each id twice, one arrival after another: the same arrivals, in the same order, for every server. */
async function arrivals(url: string): Promise<Answer[]> {
  const answers: Answer[] = []
  for (let i = 0; i < 10; i++) for (let k = 0; k < 2; k++) answers.push(await chat(url, `det-${i}`))
  return answers
}

describe('serve: the same seed and arrivals give the same faults and content with 1 and 2 workers', () => {
  let one: ServeProcess
  let two: ServeProcess
  beforeAll(async () => {
    ;[one, two] = await Promise.all([
      startServe(['--workers', '1', '--seed', '9'], config),
      startServe(['--workers', '2', '--seed', '9'], config),
    ])
  }, 60_000)
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()])
  })

  it('answers and journals every attempt alike', async () => {
    const single = await arrivals(one.url)
    const clustered = await arrivals(two.url)
    expect(new Set(clustered.map((a) => a.worker))).toEqual(new Set(['1', '2']))
    expect(clustered.map(seen)).toEqual(single.map(seen))
    // Both rules fire and some attempts pass, or the comparison proves little.
    expect(new Set(single.map((a) => a.status))).toEqual(new Set([200, 500, 503]))
    const decisions = async (url: string) =>
      (await journal(url)).entries.map((e) => [e.seq, e.requestId, e.attempt, e.status, e.rule, e.faults])
    expect(await decisions(two.url)).toEqual(await decisions(one.url))
  })
})
