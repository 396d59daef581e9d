import type { RunData } from '../record/run-data.js'
import type { JournalEntry } from '../upstream/journal.js'

/**
 * Attempt trees: which layer made each upstream attempt of a request. A request can pass through three layers that
 * each retry: the client program (an SDK with its own retries), the gateway (retries and failover), and brownout's
 * upstreams, which journal every attempt that reached them. The SDK numbers its attempts in the
 * `x-stainless-retry-count` header (openai and anthropic SDKs: 0, 1, 2 …), which a gateway forwards upstream: the
 * attempts one SDK attempt caused share its number, and the gateway made all but the first of them.
 */

/** One upstream attempt in a tree: what the gateway did to make it. */
export interface TreeAttempt {
  upstream: string
  /** ms since the load started. */
  atMs: number
  status: number | null
  fault: string | null
  endedBy: string
  /** first: the gateway's first attempt for this SDK attempt; retry: again on the same upstream; failover: another. */
  kind: 'first' | 'retry' | 'failover'
}

/** One attempt of the SDK (one call to the gateway) and the upstream attempts the gateway made for it. */
export interface SdkAttempt {
  /**
   * The client's ask, from 1: a program that calls the SDK again after it gave up (a re-ask) starts the SDK's
   * numbering over, so a retry number that does not grow starts the next ask.
   */
  ask: number
  /** The SDK's retry number (x-stainless-retry-count), or null when the attempts carried none. */
  retry: number | null
  attempts: TreeAttempt[]
}

/** A client request's attempt tree: client request → SDK attempts → gateway attempts (by upstream). */
export interface AttemptTree {
  id: string
  sdk: SdkAttempt[]
  /** Upstream attempts in all. */
  total: number
}

/** How a run's attempts split by layer, and example trees. */
export interface LayerReport {
  /**
   * header: the SDK's attempts were told apart by x-stainless-retry-count. none: no attempt carried it (the
   * client sets none, or the gateway did not forward it): every attempt of a request counts as the gateway's.
   */
  attribution: 'header' | 'none'
  /** Requests that reached an upstream. */
  requests: number
  /** SDK attempts (calls to the gateway that reached an upstream) per client request. */
  sdkPerRequest: number
  /** Upstream attempts per SDK attempt: the gateway's retries and failover. */
  gatewayPerSdk: number
  /** Upstream attempts per client request: the product. */
  upstreamPerRequest: number
  /** The requests with the most upstream attempts (up to three). */
  worst: AttemptTree[]
}

/** The attempt tree of one request, from its upstream attempts in arrival order. */
export function attemptTree(id: string, attempts: readonly JournalEntry[], loadStartedAt: number): AttemptTree {
  const sdk: SdkAttempt[] = []
  for (const e of attempts) {
    const last = sdk.at(-1)
    // An attempt without the header belongs to the SDK attempt before it (a gateway that drops it on a retry).
    const retry = e.stainlessRetryCount ?? last?.retry ?? null
    const group = last && last.retry === retry ? last : undefined
    const prev = group?.attempts.at(-1)
    const step: TreeAttempt = {
      upstream: e.upstream,
      atMs: Math.round(e.receivedAt - loadStartedAt),
      status: e.status,
      fault: e.faults.length > 0 ? e.faults.join('+') : null,
      endedBy: e.endedBy,
      kind: !prev ? 'first' : prev.upstream === e.upstream ? 'retry' : 'failover',
    }
    if (group) group.attempts.push(step)
    else {
      const reask = last !== undefined && retry !== null && last.retry !== null && retry < last.retry
      sdk.push({ ask: (last?.ask ?? 1) + (reask ? 1 : 0), retry, attempts: [step] })
    }
  }
  return { id, sdk, total: attempts.length }
}

/**
 * Whether a run has a client layer to attribute: a client program ran in front of the SUT (or was the SUT), or the
 * attempts carry an SDK's retry numbers.
 */
export function hasClientLayer(data: RunData): boolean {
  return data.meta.sut.client !== undefined || data.journal.some((e) => e.stainlessRetryCount != null)
}

/** How the attempts of `requests` split by layer; null when no request reached an upstream. */
export function layerReport(
  requests: ReadonlyArray<{ id: string; attempts: readonly JournalEntry[] }>,
  loadStartedAt: number,
): LayerReport | null {
  if (requests.length === 0) return null
  const trees = requests.map((r) => attemptTree(r.id, r.attempts, loadStartedAt))
  const sdkAttempts = trees.reduce((n, t) => n + t.sdk.length, 0)
  const upstream = trees.reduce((n, t) => n + t.total, 0)
  const attribution = requests.some((r) => r.attempts.some((e) => e.stainlessRetryCount != null)) ? 'header' : 'none'
  const worst = [...trees].sort((a, b) => b.total - a.total || a.id.localeCompare(b.id)).slice(0, 3)
  return {
    attribution,
    requests: trees.length,
    sdkPerRequest: sdkAttempts / trees.length,
    gatewayPerSdk: upstream / sdkAttempts,
    upstreamPerRequest: upstream / trees.length,
    worst,
  }
}

/** A tree's layers on one line: `SDK 3 × gateway 3 = 9 upstream attempts`. */
export function treeProduct(tree: AttemptTree): string {
  const most = Math.max(...tree.sdk.map((s) => s.attempts.length))
  const even = tree.sdk.every((s) => s.attempts.length === most)
  const gateway = even ? String(most) : `${tree.sdk.map((s) => s.attempts.length).join('+')}`
  return even
    ? `SDK ${tree.sdk.length} × gateway ${gateway} = ${tree.total} upstream attempts`
    : `SDK ${tree.sdk.length} (gateway ${gateway}) = ${tree.total} upstream attempts`
}

/**
 * A tree as indented lines:
 * ```
 * brn-x-0: SDK 3 × gateway 3 = 9 upstream attempts
 *   SDK attempt 0
 *     primary @12ms 503 [error]
 *     retry primary @130ms 503 [error]
 * ```
 */
export function treeLines(tree: AttemptTree): string[] {
  const lines = [`${tree.id}: ${treeProduct(tree)}`]
  const asks = tree.sdk.at(-1)?.ask ?? 1
  for (const s of tree.sdk) {
    const ask = asks > 1 ? `client ask ${s.ask}, ` : ''
    lines.push(`  ${ask}SDK attempt ${s.retry === null ? '(no x-stainless-retry-count)' : s.retry}`)
    for (const a of s.attempts) {
      const status = a.status === null ? a.endedBy : String(a.status)
      const kind = a.kind === 'first' ? '' : `${a.kind} → `
      lines.push(`    ${kind}${a.upstream} @${a.atMs}ms ${status}${a.fault ? ` [${a.fault}]` : ''}`)
    }
  }
  return lines
}
