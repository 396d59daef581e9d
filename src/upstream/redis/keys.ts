/** A run id: the scope of every key; letters, digits and `._:-` (no braces: it is the key's Redis Cluster hash tag). */
export const RUN_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** The Redis keys and pub/sub channel of one upstream in one run. */
export interface RedisKeys {
  /** Arrival order (INCR). */
  seq: string
  /** Attempts that carried no request id, numbered for their generated ids. */
  anon: string
  /** Attempts per request id across every upstream of the run (hash). */
  runAttempts: string
  /** Attempts per request id at this upstream (hash). */
  attempts: string
  /** The RPM and TPM buckets (hashes: level, updatedAt). */
  rpm: string
  tpm: string
  /** The overload model's slots in use and attempts waiting (hash: active, queued). */
  capacity: string
  /** The fault rules in force (hash: json, version). */
  rules: string
  /** The clock origin `during` windows count from (ms since epoch). */
  started: string
  /** Ended journal entries (a stream, trimmed to the journal capacity) and how many were ever added. */
  journal: string
  journalTotal: string
  /** Rules changes, slot releases and resets (pub/sub). */
  channel: string
}

/**
 * Keys `brownout:{<run-id>}:<upstream>:…`: one hash tag per run, so a Redis Cluster keeps a run's keys in one slot
 * and a script may touch any of them; the run-wide attempt hash is `brownout:{<run-id>}:attempts`.
 */
export function redisKeys(runId: string, upstream: string): RedisKeys {
  const run = `brownout:{${runId}}`
  const own = `${run}:${upstream}`
  return {
    seq: `${own}:seq`,
    anon: `${own}:anon`,
    runAttempts: `${run}:attempts`,
    attempts: `${own}:attempts`,
    rpm: `${own}:rpm`,
    tpm: `${own}:tpm`,
    capacity: `${own}:capacity`,
    rules: `${own}:rules`,
    started: `${own}:started`,
    journal: `${own}:journal`,
    journalTotal: `${own}:journal-total`,
    channel: `${own}:events`,
  }
}
