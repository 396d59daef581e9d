import { z } from 'zod'

/*
 * What a saved run's lines must hold for grading to mean anything. The types themselves live with what writes
 * them (ClientRecord in load/record.ts, JournalEntry in upstream/journal.ts); these schemas check a saved line
 * against them when it is read back. The fields every check reads are required; the others are checked when
 * present (runs saved before a field existed lack it) and fields this code does not know are kept.
 */

const num = z.number()
const nullableNum = z.number().nullable()
const nullableStr = z.string().nullable()
const usage = z.object({ input: nullableNum, output: nullableNum }).nullable().optional()
const digest = z
  .looseObject({
    content: z.string(),
    maxTokens: nullableNum,
    stream: z.boolean(),
    tools: num,
    streamUsage: z.boolean(),
    headers: z.array(z.string()),
  })
  .optional()

/** One line of requests.jsonl: a logical request as the load driver saw it. */
export const clientRecordLineSchema = z.looseObject({
  id: z.string(),
  n: num,
  api: z.string(),
  model: z.string(),
  stream: z.boolean(),
  phase: z.string(),
  intendedAt: num,
  outcome: z.enum(['ok', 'broken-stream', 'http-error', 'network-error', 'timeout', 'not-sent', 'abandoned']),
  status: nullableNum,
  latencyMs: num,
  maxTokens: nullableNum.optional(),
  sendLagMs: num.optional(),
  processStartMs: num.optional(),
  ttftMs: nullableNum.optional(),
  gapsMs: z.array(num).optional(),
  events: num.optional(),
  terminal: z.boolean().optional(),
  inBandError: nullableStr.optional(),
  finishReason: nullableStr.optional(),
  text: nullableStr.optional(),
  errorBody: z
    .object({ wellFormed: z.boolean(), type: nullableStr, contentType: nullableStr.optional() })
    .nullable()
    .optional(),
  bodyError: nullableStr.optional(),
  bodyHead: nullableStr.optional(),
  streamContentType: nullableStr.optional(),
  error: nullableStr.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  bytes: num.optional(),
  /** The pass-through checks' evidence (added later: absent in older runs). */
  usage,
  answerModel: nullableStr.optional(),
  sent: digest,
  abandonedAtMs: num.optional(),
})

/** One line of journal.jsonl: an upstream attempt. */
export const journalLineSchema = z.looseObject({
  seq: num,
  upstream: z.string(),
  requestId: z.string(),
  attempt: num,
  receivedAt: num,
  status: nullableNum,
  durationMs: num,
  endedBy: z.enum(['end', 'reset', 'close', 'hang', 'client', 'open']),
  faults: z.array(z.string()),
  idSource: z.string().optional(),
  upstreamAttempt: num.optional(),
  method: z.string().optional(),
  path: z.string().optional(),
  provider: z.string().optional(),
  model: nullableStr.optional(),
  stream: z.boolean().optional(),
  /** True when the request ended on an assistant turn (a prefill); absent otherwise. */
  prefill: z.boolean().optional(),
  errorType: nullableStr.optional(),
  bytes: num.optional(),
  firstByteMs: nullableNum.optional(),
  stainlessRetryCount: nullableNum.optional(),
  clientDisconnected: z.boolean().optional(),
  rule: nullableStr.optional(),
  retryAfterMs: nullableNum.optional(),
  requestBody: z.enum(['ok', 'empty', 'incomplete', 'invalid']).optional(),
  /** What the fired faults did to the attempt (src/faults/effect.ts); journals saved before the field have none. */
  effect: z.enum(['fatal', 'transient', 'mid-stream', 'none']).optional(),
  /** The pass-through checks' evidence (added later: absent in older runs). */
  writes: num.optional(),
  firstWriteMs: nullableNum.optional(),
  lastWriteMs: nullableNum.optional(),
  usage,
  received: digest,
})
