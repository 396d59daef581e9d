import { dialectOf } from '../dialects/registry.js'
import type { ClientRecord } from '../load/record.js'
import type { Scenario } from '../scenario/schema.js'
import { answerFor, answerText } from '../upstream/content.js'

/**
 * The complete answer a request of this scenario should get (seeded by the request id), or null when its API has
 * none to compare (embeddings): what the content checks compare a success's text with.
 */
export function expectedTextFor(
  scenario: Pick<Scenario, 'seed' | 'upstreams'>,
): (record: Pick<ClientRecord, 'api' | 'id' | 'maxTokens'>) => string | null {
  const content = Object.values(scenario.upstreams)[0]?.content ?? { min_tokens: 16, max_tokens: 64 }
  return (r) =>
    dialectOf(r.api).client.hasExpectedText
      ? answerText(answerFor(scenario.seed, r.id, r.maxTokens ?? undefined, content))
      : null
}
