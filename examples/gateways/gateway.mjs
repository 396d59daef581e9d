#!/usr/bin/env node
// A small LLM gateway, dependency-free, for teaching and for testing brownout itself.
// One file, configured by environment variables, so the same code can be naive, resilient, or broken on purpose.
//
//   PORT              where to listen (required)
//   HOST              the interface to bind (0.0.0.0 in a container)                   [127.0.0.1]
//   UPSTREAMS         comma-separated base URLs, tried in order (failover rotates through them)
//   RETRIES           extra attempts after the first (0 = naive pass-through)          [2]
//   RETRY_ON          statuses worth retrying                                          [408,409,429,500,502,503,504,529]
//   BACKOFF_MS        base of the exponential backoff                                  [100]
//   MAX_BACKOFF_MS    cap of one backoff                                               [2000]
//   JITTER            full: uniform(0, b) · equal: b/2 + uniform(0, b/2) · sdk: b × (1 − 0.25·U), the
//                     openai/anthropic SDKs' 25 % jitter · none: b                               [full]
//   RETRY_AFTER       1: wait what Retry-After says, to the ms (and fail fast when it is too long) ·
//                     seconds: read only the whole-second retry-after header (waits ceil(RA) s) ·
//                     0: ignore Retry-After and back off as without it                          [1]
//                     Google (Gemini) sends no header: its delay is the error body's RetryInfo retryDelay
//                     ("3s", "1.300s"), read like Retry-After (whole seconds, rounded up, under `seconds`)
//   MAX_RETRY_AFTER_MS longest Retry-After worth waiting for                           [5000]
//   RETRY_AFTER_PARSE float: Retry-After is seconds (fractions too) or an HTTP-date; negative or garbage is no
//                     delay (back off as without one) · int: parseInt(value) like many hand-written clients: a
//                     fraction is cut to whole seconds, and an HTTP-date, garbage or a negative value become NaN or
//                     below zero, which the sleep takes as 0: an immediate retry (the defect)            [float]
//   RESET_HEADERS     1: a 429 without retry-after/retry-after-ms waits for the rate-limit reset headers
//                     instead: x-ratelimit-reset-requests/-tokens (Go durations, 1.3s, 6m0s) or
//                     anthropic-ratelimit-*-reset (RFC 3339), of the buckets at remaining 0 (else all)       [0]
//   STREAM_PEEK       1: a stream whose first event is an in-band error (Anthropic's overloaded_error before any
//                     content, OpenAI's data: {"error": …}) has given the client nothing: it is retried or failed
//                     over before the client sees a byte · 0: every 2xx stream is committed at once     [0]
//   SHOULD_RETRY      1: x-should-retry: true|false decides whether an error is retried, over RETRY_ON (as the
//                     openai and anthropic SDKs do) · 0: the header is ignored                         [1]
//   TRY_TIMEOUT_MS    per-attempt timeout, 0 = none                                    [10000]
//   DEADLINE_MS       whole-request deadline across attempts, 0 = none                 [30000]
//   BREAKER           1: circuit breaker per upstream and model: 5 requests in a row that failed on it (after
//                     all their retries, or before failing over to another upstream) open it for BREAK_MS, then
//                     one probe (half-open: one attempt in flight, every other request skips the upstream until it
//                     answers) closes it or opens it again (pushback such as 429 and client errors do not count) [1]
//   BREAK_MS          how long an open breaker refuses before probing                              [1000]
//   STREAM_CHECK      1: a stream that ends without its terminal event ([DONE], message_stop,
//                     response.completed) gets an explicit error event instead of passing as complete [1]
//   IDLE_TIMEOUT_MS   a stream silent this long is ended with an error event, 0 = never               [5000]
//   VALIDATE_JSON     1: a 2xx whose JSON body does not parse counts as a failed attempt (and is retried) [1]
//   RETRY_BUDGET      1: when at least half of the last 20 retries failed too, a request gets one retry, not
//                     RETRIES: retries that keep failing add load (an overloaded upstream), not success [0]
//   UPSTREAM_KINDS    comma list, one per upstream: the API family it speaks (openai, anthropic, …)          []
//   BRIDGE            messages-to-chat: an Anthropic /v1/messages request for an `openai` upstream is sent to
//                     its /v1/chat/completions and the answer (JSON or stream) translated back; a bridged
//                     stream whose upstream died ends with an Anthropic `event: error`                       []
//   DEFECTS           comma list of deliberate bugs: retry-4xx, splice-stream, clean-done, html-errors, and
//                     crash-mid-stream      the process exits (code 1) when an upstream stream breaks mid-way
//                     sse-no-content-type   streams reach the client without a content-type header
//                     cumulative-deltas     each OpenAI chat delta carries all the text so far, not just its own
//                     answer-when-down      after the first failed attempt the upstreams are marked down for good:
//                                           every later attempt is answered 503 by the gateway itself
//                     keep-hung             when its client gives up, the upstream attempt in flight is left open
//                                           instead of being cancelled (with TRY_TIMEOUT_MS=0 it is never closed)
//                     canned-answer         a request that failed gets a 200 with a stock chat completion ("The
//                                           service is busy, please try again.") instead of an error
//                     retry-no-body         retries re-send the request's headers without its body (Caddy 2.6 does
//                                           this for a POST): every retry is refused 400 by the upstream
//                     commit-on-headers     a stream is committed (its headers relayed) when the upstream's headers
//                                           arrive, not with its first event: headers then nothing, or zero events
//                                           then a reset, can no longer be retried (bifrost#2917)
//                     bridge-clean-end      a bridged stream sends 200 and message_start before the upstream says
//                                           anything, and one whose upstream died ends cleanly (litellm#32086)
//                     breaker-global        one breaker per upstream for all models: one model's deterministic 5xx
//                                           shuts out every other model on that upstream
//                     breaker-counts-unanswered-as-ok  an attempt that got no answer (timeout, reset, no first event)
//                                           counts as a success for the breaker: a dead upstream never trips it
//                     no-half-open          a breaker whose break is over lets every request through at once
//                                           instead of one probe: a down upstream gets a burst per break
//                     no-retry-info         reads Retry-After headers only, never Google's RetryInfo in the body
//                                           (Gemini sends no header): it backs off on its own guess instead
//                     cancel-late           when its client gives up, the upstream attempt in flight is closed only
//                                           CANCEL_LATE_MS later (or when it ends by itself, if sooner)       [3000]
//                     zombie-retries        when its client gives up, the attempt in flight is cancelled but the
//                                           retry loop goes on: later retries run for nobody, to their end
//                     over-admit            the limiter checks, then reads its shared counter (a 50 ms round trip),
//                                           then counts: requests that arrive together all pass the check
//                     limit-no-retry-after  the limiter's own 429s carry no Retry-After (nor retry-after-ms)
//                     resume-with-prefill   a stream cut mid-way (tokens already sent) is resumed on the next upstream:
//                                           the request goes again with the text the client got so far appended as an
//                                           assistant message (a prefill), and the continuation is spliced into the
//                                           client's stream; a refused resume (a 4xx: models that do not support
//                                           prefill) ends the stream with an explicit error event
//                     mask-prefill-rejection  with resume-with-prefill: a refused resume ends the client's stream
//                                           cleanly, as if complete (Failover Bench S14's no_prefill_masking)
//   SHOULD_RETRY_HEADER 1: the gateway is the retry layer: its answers carry x-should-retry: false, so an
//                     openai/anthropic SDK in front does not retry what the gateway already retried (or refused
//                     for good); its own rate-limit 429s leave the header out (waiting them out works)     [0]
//   RATE_LIMIT        the gateway's own limiter, N/<window> (60/1s, 20/500ms): at most N requests admitted in any
//                     window (a sliding log); the rest get a 429 with Retry-After (whole seconds, rounded up) and
//                     retry-after-ms: when the oldest admission leaves the window. Empty = no limit          []
//   BUDGET_REQUESTS   the gateway admits this many requests in all, then answers 429 budget_exceeded (no
//                     Retry-After: waiting does not help). Empty = no budget                                []
//                     buffer-stream         holds an upstream stream until its end, then writes it at once
//                     drop-usage            strips stream_options (include_usage) from requests and `usage` from
//                                           non-streaming answers
//                     rewrite-model         answers name the model the client asked for, not the one that served
//                                           them (visible after a fallback to another model: UPSTREAM_MODELS)
//                     drop-max-tokens       strips max_tokens / max_completion_tokens / max_output_tokens
//   ADDED_LATENCY_MS  waits this long before forwarding each request (a slow gateway)            [0]
//   UPSTREAM_MODELS   comma list aligned with UPSTREAMS: the model sent to that upstream (empty: as asked) []
//
// When a client goes away before its answer is complete, the gateway cancels the upstream attempt in flight and
// stops retrying (unless DEFECTS has keep-hung).
//
// Retry-timing profiles of the validity matrix (test/grade/matrix-*.test.ts), all from the variables above:
//   fixed 1 s / 2 s / 5 s backoff that ignores Retry-After
//                     RETRY_AFTER=0 JITTER=none BACKOFF_MS=1000 MAX_BACKOFF_MS=1000 (2000, 5000 likewise)
//   immediate retries BACKOFF_MS=0
//   SDK-like jitter   JITTER=sdk BACKOFF_MS=500 (openai-node: 0.5 s × 2^n × (1 − 0.25·U))
//   equal jitter      JITTER=equal BACKOFF_MS=500
import http from 'node:http'

const env = (name, fallback) => process.env[name] ?? fallback
const num = (name, fallback) => Number(env(name, fallback))
const PORT = num('PORT', 0)
const HOST = env('HOST', '127.0.0.1')
const UPSTREAMS = env('UPSTREAMS', '').split(',').filter(Boolean).map((u) => u.replace(/\/$/, ''))
const RETRIES = num('RETRIES', 2)
const RETRY_ON = new Set(env('RETRY_ON', '408,409,429,500,502,503,504,529').split(',').map(Number))
const BACKOFF_MS = num('BACKOFF_MS', 100)
const MAX_BACKOFF_MS = num('MAX_BACKOFF_MS', 2000)
const JITTER = env('JITTER', 'full')
const RETRY_AFTER = env('RETRY_AFTER', '1')
const MAX_RETRY_AFTER_MS = num('MAX_RETRY_AFTER_MS', 5000)
const RETRY_AFTER_PARSE = env('RETRY_AFTER_PARSE', 'float')
const RESET_HEADERS = env('RESET_HEADERS', '0') === '1'
const SHOULD_RETRY = env('SHOULD_RETRY', '1') === '1'
const STREAM_PEEK = env('STREAM_PEEK', '0') === '1'
const TRY_TIMEOUT_MS = num('TRY_TIMEOUT_MS', 10000)
const DEADLINE_MS = num('DEADLINE_MS', 30000)
const BREAKER = env('BREAKER', '1') === '1'
const BREAK_MS = num('BREAK_MS', 1000)
const STREAM_CHECK = env('STREAM_CHECK', '1') === '1'
const IDLE_TIMEOUT_MS = num('IDLE_TIMEOUT_MS', 5000)
const VALIDATE_JSON = env('VALIDATE_JSON', '1') === '1'
const RETRY_BUDGET = env('RETRY_BUDGET', '0') === '1'
const DEFECTS = new Set(env('DEFECTS', '').split(',').filter(Boolean))
const SHOULD_RETRY_HEADER = env('SHOULD_RETRY_HEADER', '0') === '1'

/** The gateway's own limits: RATE_LIMIT (N per window, a sliding log) and BUDGET_REQUESTS (N in all). */
const RATE_LIMIT = (() => {
  const m = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/.exec(env('RATE_LIMIT', ''))
  return m ? { n: Number(m[1]), windowMs: Number(m[2]) * (m[3] === 's' ? 1000 : 1) } : undefined
})()
const BUDGET_REQUESTS = env('BUDGET_REQUESTS', '') === '' ? Number.POSITIVE_INFINITY : num('BUDGET_REQUESTS', 0)
const admittedAt = []
let admittedCount = 0

/** Admits a request (undefined), or says why not: the refusal's message, error type and headers. */
async function admit() {
  if (!RATE_LIMIT && !Number.isFinite(BUDGET_REQUESTS)) return undefined
  const now = Date.now()
  while (RATE_LIMIT && admittedAt.length > 0 && admittedAt[0] <= now - RATE_LIMIT.windowMs) admittedAt.shift()
  if (admittedCount >= BUDGET_REQUESTS) {
    return { message: 'request budget exhausted', type: 'budget_exceeded', headers: { 'x-should-retry': 'false' } }
  }
  if (RATE_LIMIT && admittedAt.length >= RATE_LIMIT.n) {
    const waitMs = Math.max(1, admittedAt[0] + RATE_LIMIT.windowMs - now)
    const headers = DEFECTS.has('limit-no-retry-after') ? {} : { 'retry-after': String(Math.ceil(waitMs / 1000)), 'retry-after-ms': String(waitMs) }
    return { message: `rate limit of ${RATE_LIMIT.n} requests per ${RATE_LIMIT.windowMs} ms reached`, type: 'rate_limit_exceeded', headers }
  }
  // DEFECTS=over-admit: the count is read and written in two steps, with a round trip between them.
  if (DEFECTS.has('over-admit')) await sleep(50)
  admittedAt.push(Date.now())
  admittedCount++
  return undefined
}

/** The gateway's own 429: the API's error shape, its own type, the limiter's headers. */
function refuse(res, refusal) {
  res.writeHead(429, { 'content-type': 'application/json', ...refusal.headers })
  if (GEMINI.test(res.req?.url ?? '')) return res.end(JSON.stringify({ error: { code: 429, message: refusal.message, status: 'RESOURCE_EXHAUSTED' } }))
  res.end(JSON.stringify({ error: { message: refusal.message, type: refusal.type, param: null, code: refusal.type } }))
}

const ADDED_LATENCY_MS = num('ADDED_LATENCY_MS', 0)
const UPSTREAM_MODELS = env('UPSTREAM_MODELS', '').split(',')

/** The body sent to `url`: its model mapped (UPSTREAM_MODELS), fields dropped by DEFECTS. Also the models. */
function passBody(body, url) {
  const mapped = UPSTREAM_MODELS[UPSTREAMS.indexOf(url)] || undefined
  const rewrite = mapped || DEFECTS.has('drop-usage') || DEFECTS.has('drop-max-tokens')
  let json
  try {
    json = rewrite || DEFECTS.has('rewrite-model') ? JSON.parse(body.toString()) : undefined
  } catch {
    return { body, asked: undefined, served: undefined }
  }
  const asked = json?.model
  if (!rewrite || !json || typeof json !== 'object') return { body, asked, served: asked }
  if (mapped && typeof json.model === 'string') json.model = mapped
  if (DEFECTS.has('drop-usage')) delete json.stream_options
  if (DEFECTS.has('drop-max-tokens')) {
    delete json.max_tokens
    delete json.max_completion_tokens
    delete json.max_output_tokens
  }
  return { body: Buffer.from(JSON.stringify(json)), asked, served: json.model }
}

/** DEFECTS=rewrite-model: text with the serving model's name replaced by the asked one. */
function renameModel(text, models) {
  if (!DEFECTS.has('rewrite-model') || !models.asked || models.asked === models.served) return text
  return text.replaceAll(`"model":"${models.served}"`, `"model":${JSON.stringify(models.asked)}`)
}

/** A non-streaming answer as the client gets it (DEFECTS drop-usage, rewrite-model): headers and payload. */
function passAnswer(headers, payload, models) {
  if (!DEFECTS.has('drop-usage') && !DEFECTS.has('rewrite-model')) return [headers, payload]
  let text = renameModel(payload.toString(), models)
  if (DEFECTS.has('drop-usage')) {
    try {
      const json = JSON.parse(text)
      delete json.usage
      text = JSON.stringify(json)
    } catch {}
  }
  const out = { ...headers }
  delete out['content-length']
  return [out, text]
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** DEFECTS=answer-when-down: once set, the gateway answers every request itself. */
let upstreamsDown = false
function markDown() {
  if (DEFECTS.has('answer-when-down')) upstreamsDown = true
}

/** The headers a stream goes out with (DEFECTS=sse-no-content-type drops its content-type). */
function streamHeaders(headers) {
  const out = { ...headers }
  if (DEFECTS.has('sse-no-content-type')) delete out['content-type']
  if (DEFECTS.has('cumulative-deltas')) delete out['content-length']
  return out
}
// openUntil 0: closed; in the future: open; in the past: half-open (one probe at a time, `probing`).
const breakers = new Map(UPSTREAMS.map((u) => [u, { failures: 0, openUntil: 0, probing: false }]))
/**
 * A breaker per upstream and model: one model that fails (a deployment gone, a request shape it cannot serve) must not
 * shut out the others on the same upstream. DEFECTS=breaker-global keeps one breaker per upstream for every model.
 * Breakers are created on first use (`breakers.get` of a new key), shaped like the upstream's.
 */
function breakerKey(url, model) {
  if (DEFECTS.has('breaker-global') || !model) return url
  const key = `${url} ${model}`
  if (!breakers.has(key)) breakers.set(key, { failures: 0, openUntil: 0, probing: false })
  return key
}
/** The model a request names: its body's `model`, or Gemini's path (`/v1beta/models/<model>:…`). */
function modelOf(req, body) {
  const path = /^\/v1(?:beta)?\/models\/([^/:]+):/.exec(req.url ?? '')
  if (path) return path[1]
  try {
    const model = JSON.parse(body.toString()).model
    return typeof model === 'string' ? model : undefined
  } catch {
    return undefined
  }
}

function backoffMs(retry) {
  const cap = Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** retry)
  if (JITTER === 'none') return cap
  if (JITTER === 'equal') return cap / 2 + (Math.random() * cap) / 2
  if (JITTER === 'sdk') return cap * (1 - 0.25 * Math.random())
  return Math.random() * cap
}

function retryAfterMs(headers, body, status) {
  if (RETRY_AFTER === '0') return undefined
  const ms = Number(headers['retry-after-ms'])
  if (RETRY_AFTER === '1' && headers['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return ms
  if (headers['retry-after'] !== undefined) {
    const ra = retryAfterHeaderMs(headers['retry-after'])
    if (ra !== undefined) return ra
  }
  const reset = RESET_HEADERS && status === 429 && headers['retry-after'] === undefined ? resetMs(headers) : undefined
  if (reset !== undefined) return reset
  const delay = DEFECTS.has('no-retry-info') ? undefined : retryDelayMs(body)
  return delay !== undefined && RETRY_AFTER === 'seconds' ? Math.ceil(delay / 1000) * 1000 : delay
}

/** A Retry-After header's wait (ms): seconds or an HTTP-date; undefined when it says nothing usable. */
function retryAfterHeaderMs(value) {
  // RETRY_AFTER_PARSE=int: NaN and negatives pass through, and the sleep takes them as 0 (the defect).
  if (RETRY_AFTER_PARSE === 'int') return Number.parseInt(value, 10) * 1000
  const s = Number(value)
  if (value.trim() !== '' && Number.isFinite(s)) return s >= 0 ? (RETRY_AFTER === 'seconds' ? Math.ceil(s) : s) * 1000 : undefined
  const date = Date.parse(value)
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined
}

/** RESET_HEADERS=1: the wait until the exhausted rate-limit buckets reset (OpenAI Go durations, Anthropic dates). */
function resetMs(headers) {
  const waits = []
  for (const [name, value] of Object.entries(headers)) {
    const openai = /^x-ratelimit-reset-(requests|tokens)$/.exec(name)
    const anthropic = /^anthropic-ratelimit-([a-z-]+)-reset$/.exec(name)
    const bucket = openai ? `x-ratelimit-remaining-${openai[1]}` : anthropic ? `anthropic-ratelimit-${anthropic[1]}-remaining` : undefined
    if (bucket === undefined) continue
    const wait = openai ? goDurationMs(String(value)) : Date.parse(String(value)) - Date.now()
    if (Number.isFinite(wait)) waits.push({ wait: Math.max(0, wait), spent: headers[bucket] === '0' })
  }
  const spent = waits.filter((w) => w.spent)
  const chosen = spent.length > 0 ? spent : waits
  return chosen.length > 0 ? Math.max(...chosen.map((w) => w.wait)) : undefined
}

/** Milliseconds of a Go duration (`1.3s`, `6m0s`, `20ms`, `1h2m3s`), NaN when it is not one. */
function goDurationMs(text) {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return Number.NaN
  const unit = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]], 0)
}

/** Google's retry delay: the google.rpc.RetryInfo detail of an error body (`"retryDelay": "1.300s"`), in ms. */
function retryDelayMs(body) {
  try {
    const details = JSON.parse(body.toString()).error?.details
    const info = Array.isArray(details) ? details.find((d) => d?.['@type']?.endsWith('google.rpc.RetryInfo')) : undefined
    const m = /^(\d+(?:\.\d+)?)s$/.exec(info?.retryDelay ?? '')
    return m ? Number(m[1]) * 1000 : undefined
  } catch {
    return undefined
  }
}

function pickUpstream(attempt, model, claim = true) {
  const now = Date.now()
  for (let i = 0; i < UPSTREAMS.length; i++) {
    const url = UPSTREAMS[(attempt + i) % UPSTREAMS.length]
    const b = breakers.get(breakerKey(url, model))
    if (!BREAKER) return url
    if (b.openUntil > now || b.probing) continue
    // Half-open: this attempt is the probe; the others skip the upstream until it answers (endProbe). A look
    // ahead (`claim` false) takes no probe.
    if (claim && b.openUntil > 0 && !DEFECTS.has('no-half-open')) b.probing = true
    return url
  }
  return undefined
}

/** After each attempt on a breaker (`key`): a probe that failed opens it again, one that was answered closes it. */
function endProbe(key, ok) {
  const b = breakers.get(key)
  if (!b?.probing) return
  b.probing = false
  if (ok) {
    b.failures = 0
    b.openUntil = 0
  } else b.openUntil = Date.now() + BREAK_MS
}

/** Outcomes of the most recent retries (true = it worked), for RETRY_BUDGET. */
const recentRetries = []
function noteRetry(worked) {
  recentRetries.push(worked)
  if (recentRetries.length > 20) recentRetries.shift()
}
function retriesFor() {
  if (!RETRY_BUDGET || recentRetries.length < 10) return RETRIES
  const failed = recentRetries.filter((worked) => !worked).length
  return failed * 2 >= recentRetries.length ? Math.min(1, RETRIES) : RETRIES
}

function record(url, ok) {
  const b = breakers.get(url)
  if (!b) return
  if (ok) {
    b.failures = 0
    b.openUntil = 0
  } else if (++b.failures >= 5) {
    b.openUntil = Date.now() + BREAK_MS
    b.failures = 4 // half-open after the break: one more failure opens it again
  }
}

/**
 * A failed attempt on `url`, for its breaker: counted when the request is done with this upstream (its last attempt,
 * or the next one goes elsewhere), so a request that fails over counts against the upstream it left
 * (Portkey-AI/gateway#1289: a fallback that works kept the dead target's breaker closed). `unanswered`: no answer
 * at all (a timeout, a reset, a stream that died before its first event); DEFECTS=breaker-counts-unanswered-as-ok
 * counts those as successes (langwatch/tasks#584).
 */
function failedOn(url, k, retries, unanswered = false, model = undefined) {
  if (k < retries && (UPSTREAMS.length < 2 || pickUpstream(k + 1, model, false) === url)) return
  record(breakerKey(url, model), unanswered && DEFECTS.has('breaker-counts-unanswered-as-ok'))
}

/**
 * One attempt: resolves with the upstream response (headers received), or rejects on a network error / timeout.
 * Aborting `signal` (the client left) cancels it, its response body included.
 */
function attempt(url, req, body, timeoutMs, signal, path = req.url) {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: new URL(url).host, 'content-length': Buffer.byteLength(body) }
    const out = http.request(`${url}${path}`, { method: req.method, headers, signal })
    const timer = Number.isFinite(timeoutMs) && timeoutMs > 0 ? setTimeout(() => out.destroy(new Error('per-try timeout')), timeoutMs) : undefined
    out.on('response', (res) => {
      if (timer) clearTimeout(timer)
      resolve(res)
    })
    out.on('error', (err) => {
      if (timer) clearTimeout(timer)
      reject(err)
    })
    out.end(body)
  })
}

function readAll(res) {
  return new Promise((resolve, reject) => {
    const chunks = []
    res.on('data', (c) => chunks.push(c))
    res.on('end', () => resolve(Buffer.concat(chunks)))
    res.on('error', reject)
  })
}

function parses(buffer) {
  try {
    JSON.parse(buffer.toString())
    return true
  } catch {
    return false
  }
}

const CANNED = JSON.stringify({
  id: 'chatcmpl-canned',
  object: 'chat.completion',
  created: 0,
  model: 'canned',
  choices: [{ index: 0, message: { role: 'assistant', content: 'The service is busy, please try again.' }, finish_reason: 'stop' }],
})

function fail(res, status, message, extra = {}) {
  if (res.headersSent) return res.destroy()
  if (DEFECTS.has('canned-answer')) return res.writeHead(200, { 'content-type': 'application/json' }).end(CANNED)
  if (DEFECTS.has('html-errors')) {
    res.writeHead(status, { 'content-type': 'text/html' }).end(`<html><body><h1>${status}</h1>${message}</body></html>`)
    return
  }
  res.writeHead(status, { 'content-type': 'application/json', ...extra })
  if (GEMINI.test(res.req?.url ?? '')) {
    // A Gemini client reads Google's error shape: { error: { code, message, status } }.
    const name = { 429: 'RESOURCE_EXHAUSTED', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED' }[status] ?? 'INTERNAL'
    return res.end(JSON.stringify({ error: { code: status, message, status: name } }))
  }
  res.end(JSON.stringify({ error: { message, type: status === 503 ? 'overloaded' : 'upstream_error', param: null, code: null } }))
}

/** Gemini's model paths (`/v1beta/models/gemini-2.5-flash:generateContent`): proxied as they are. */
const GEMINI = /^\/v1(beta)?\/models\/[^/]+:/

const QUOTA = /insufficient_quota|spend_limit|usage_limit|credit_balance|billing/

/**
 * Whether a 429 is a quota that waiting cannot fix. Google words every RESOURCE_EXHAUSTED "exceeded your current
 * quota … billing", per-minute limits included: there only a QuotaFailure naming a per-day quota is final.
 */
function isQuota(text) {
  return text.includes('RESOURCE_EXHAUSTED') ? /"quotaId":"[^"]*PerDay/.test(text) : QUOTA.test(text)
}

// Gemini streams have no [DONE]: the chunk with a finishReason is the last.
const TERMINAL = /data: \[DONE\]|event: message_stop|event: response\.(completed|incomplete|failed)|"finishReason":/
// How much of a stream's end the terminal-event check reads: a Responses stream's last event carries the whole response.
const TAIL_CHARS = 16_000

/** DEFECTS=cumulative-deltas: rewrites whole SSE events so that each chat delta repeats the text before it. */
function cumulativeDeltas() {
  let pending = ''
  let soFar = ''
  const rewrite = (event) => {
    const m = /^data: (\{.*\})$/m.exec(event)
    if (!m) return event
    try {
      const data = JSON.parse(m[1])
      const delta = data.choices?.[0]?.delta
      if (typeof delta?.content !== 'string') return event
      soFar += delta.content
      delta.content = soFar
      return event.replace(m[0], `data: ${JSON.stringify(data)}`)
    } catch {
      return event
    }
  }
  return (chunk) => {
    pending += chunk.toString()
    const events = pending.split('\n\n')
    pending = events.pop()
    return events.map((e) => `${rewrite(e)}\n\n`).join('')
  }
}

/**
 * STREAM_PEEK: the stream's first chunk (its first event), read before anything is committed to the client; `ended`
 * when the stream ended (or broke) before or with it, `idle` when nothing came within the first-event limit (the
 * per-try timeout or IDLE_TIMEOUT_MS, whichever is shorter, as in pipeStream). What arrives after the first chunk,
 * until pipeStream takes over, is kept in `later` (its chunks, and how the stream ended if it did): the stream is
 * never paused, so a small answer that arrives whole, and ends, while the gateway decides is not lost (a paused
 * IncomingMessage can emit 'end' before anyone listens again).
 */
function firstChunk(up) {
  return new Promise((resolve) => {
    let timer
    const later = { chunks: [], how: undefined, release: () => {} }
    const keep = (chunk) => later.chunks.push(chunk)
    const keepEnd = () => {
      later.how ??= 'end'
    }
    const keepBroken = () => {
      later.how ??= 'broken'
    }
    const stop = () => {
      clearTimeout(timer)
      up.off('data', onData)
      up.off('end', onEnd)
      up.off('error', onEnd)
    }
    const onData = (chunk) => {
      stop()
      up.on('data', keep)
      up.once('end', keepEnd)
      up.on('error', keepBroken)
      up.once('aborted', keepBroken)
      later.release = () => {
        up.off('data', keep)
        up.off('end', keepEnd)
        up.off('error', keepBroken)
        up.off('aborted', keepBroken)
      }
      resolve({ chunk, ended: false, later })
    }
    const onEnd = () => {
      stop()
      resolve({ chunk: Buffer.alloc(0), ended: true })
    }
    const limit = firstEventMs()
    if (limit > 0) {
      timer = setTimeout(() => {
        stop()
        resolve({ chunk: Buffer.alloc(0), ended: false, idle: true })
      }, limit)
    }
    up.on('data', onData)
    up.once('end', onEnd)
    up.once('error', onEnd)
  })
}

const FIRST_EVENT_ERROR = /^(event: error|data: \{"(error|type":"error)")/m

/** Before a stream's first event it may be silent for the per-try timeout or IDLE_TIMEOUT_MS, whichever is shorter. */
const firstEventMs = () =>
  TRY_TIMEOUT_MS > 0 && IDLE_TIMEOUT_MS > 0 ? Math.min(TRY_TIMEOUT_MS, IDLE_TIMEOUT_MS) : Math.max(TRY_TIMEOUT_MS, IDLE_TIMEOUT_MS)

/**
 * Streams an upstream SSE response to the client: 'ok', or why it broke ('broken', 'idle', 'unterminated').
 * `commit` writes the client's headers: called with the first event (before it, nothing reached the client and the
 * attempt may still be retried: `res.headersSent` says which). Until that first event the stream may be silent for
 * `firstEventMs()` at most (headers then nothing is a failed attempt, not a committed stream), then IDLE_TIMEOUT_MS.
 * `first`: the first chunk when STREAM_PEEK read it already (see firstChunk).
 */
function pipeStream(upstream, res, commit = () => {}, bridge = undefined, first = undefined, models = {}) {
  const deltas = bridge ?? (DEFECTS.has('cumulative-deltas') ? cumulativeDeltas() : (chunk) => chunk)
  const rewrite = DEFECTS.has('rewrite-model') ? (chunk) => renameModel(deltas(chunk).toString(), models) : deltas
  // DEFECTS=buffer-stream: what the upstream streams is held, and written at once when the stream is over.
  const held = DEFECTS.has('buffer-stream') ? [] : undefined
  if (first?.idle) {
    upstream.destroy()
    return Promise.resolve('idle')
  }
  if (first?.ended) {
    if (first.chunk.length === 0) return Promise.resolve('broken')
    commit()
    res.write(rewrite(first.chunk))
    return Promise.resolve(!STREAM_CHECK || TERMINAL.test(first.chunk.toString()) ? 'ok' : 'broken')
  }
  return new Promise((done) => {
    const resolve = (how) => {
      if (held?.length) res.write(held.join(''))
      done(how)
    }
    let tail = ''
    let idle
    const arm = (ms) => {
      clearTimeout(idle)
      if (ms <= 0) return
      idle = setTimeout(() => {
        upstream.destroy()
        resolve('idle')
      }, ms)
    }
    const onData = (chunk) => {
      arm(IDLE_TIMEOUT_MS)
      tail = (tail + chunk.toString()).slice(-TAIL_CHARS)
      commit()
      if (held) held.push(rewrite(chunk).toString())
      else res.write(rewrite(chunk))
    }
    const onEnd = () => {
      clearTimeout(idle)
      resolve(!STREAM_CHECK || TERMINAL.test(tail) ? 'ok' : 'unterminated')
    }
    const broken = () => {
      clearTimeout(idle)
      resolve('broken')
    }
    if (first) {
      // The peeked chunk and whatever came while the gateway decided, then the live stream (all in this tick).
      first.later.release()
      for (const chunk of [first.chunk, ...first.later.chunks]) onData(chunk)
      if (first.later.how === 'end') return onEnd()
      if (first.later.how === 'broken') return broken()
    } else arm(firstEventMs())
    upstream.on('data', onData)
    upstream.on('end', onEnd)
    upstream.on('error', broken)
    upstream.on('aborted', broken)
  })
}

function streamError(res, message) {
  res.write(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { message, type: 'upstream_error' } })}\n\n`)
}

// DEFECTS=resume-with-prefill (and mask-prefill-rejection): what the client's stream carried so far, the request
// resumed with it as an assistant prefill, and the clean end a masked refusal gets.
/** Records what is written to the client's stream (`chunks`), to read its text back when the stream breaks. */
function recordWrites(res, chunks) {
  const write = res.write.bind(res)
  res.write = (chunk, ...rest) => {
    chunks.push(String(chunk))
    return write(chunk, ...rest)
  }
}
/** The text of OpenAI chat deltas and Anthropic text deltas in SSE `chunks` (a line cut in half is skipped). */
function streamedText(chunks) {
  let text = ''
  for (const line of chunks.join('').split('\n')) {
    if (!line.startsWith('data: ')) continue
    try {
      const ev = JSON.parse(line.slice(6))
      text += ev.choices?.[0]?.delta?.content ?? (ev.delta?.type === 'text_delta' ? ev.delta.text : '') ?? ''
    } catch {}
  }
  return text
}
/** The request body with `text` appended as an assistant turn: the model is asked to continue it. */
function withPrefill(body, text) {
  try {
    const json = JSON.parse(body.toString())
    json.messages = [...(Array.isArray(json.messages) ? json.messages : []), { role: 'assistant', content: text }]
    return Buffer.from(JSON.stringify(json))
  } catch {
    return body
  }
}
/** Ends a committed stream as if it were complete: a finish reason and the terminal event of its API. */
function cleanEnd(res, path) {
  if (path.split('?')[0] === '/v1/messages') {
    const stop = { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 0 } }
    return res.end(`event: message_delta\ndata: ${JSON.stringify(stop)}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n`)
  }
  res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`)
}

// BRIDGE=messages-to-chat: an Anthropic /v1/messages request sent to an upstream whose kind (UPSTREAM_KINDS) is
// `openai` is served from that upstream's /v1/chat/completions, its answer and its stream translated back.
const BRIDGE = env('BRIDGE', '')
const KINDS = new Map(UPSTREAMS.map((u, i) => [u, env('UPSTREAM_KINDS', '').split(',')[i] ?? '']))
const bridged = (url, req) => BRIDGE === 'messages-to-chat' && KINDS.get(url) === 'openai' && req.url.split('?')[0] === '/v1/messages'

/** An Anthropic messages request as an OpenAI chat request. */
function toChatRequest(body) {
  try {
    const m = JSON.parse(body.toString())
    const text = (c) => (typeof c === 'string' ? c : Array.isArray(c) ? c.map((b) => b?.text ?? '').join('') : '')
    const messages = [...(m.system ? [{ role: 'system', content: text(m.system) }] : []), ...(m.messages ?? []).map((x) => ({ role: x.role, content: text(x.content) }))]
    // A stream asks for usage: the Anthropic client is owed its message_delta usage, which the chat stream reports only
    // with stream_options.include_usage (else the bridge would have to make numbers up).
    const stream = m.stream ? { stream: true, stream_options: { include_usage: true } } : {}
    return Buffer.from(JSON.stringify({ model: m.model, max_tokens: m.max_tokens, messages, ...stream }))
  } catch {
    return body
  }
}

const STOP_REASONS = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' }

/** An OpenAI chat completion as an Anthropic message (an error body is left as it is). */
function toMessage(payload) {
  try {
    const c = JSON.parse(payload.toString())
    if (!Array.isArray(c.choices)) return payload
    const choice = c.choices[0] ?? {}
    return Buffer.from(
      JSON.stringify({
        id: `msg_${c.id ?? 'bridged'}`,
        type: 'message',
        role: 'assistant',
        model: c.model,
        content: [{ type: 'text', text: choice.message?.content ?? '' }],
        stop_reason: STOP_REASONS[choice.finish_reason] ?? 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: c.usage?.prompt_tokens ?? 0, output_tokens: c.usage?.completion_tokens ?? 0 },
      }),
    )
  } catch {
    return payload
  }
}

const sse = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`

/** Translates an OpenAI chat stream into Anthropic events, chunk by chunk: message_start at its first event. */
function chatToMessages() {
  let pending = ''
  let started = false
  let stop = 'end_turn'
  let usage
  const start = (model) => {
    started = true
    const message = { id: 'msg_bridged', type: 'message', role: 'assistant', model, content: [], stop_reason: null, usage: { input_tokens: 0, output_tokens: 0 } }
    return sse('message_start', { message }) + sse('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })
  }
  const rewrite = (chunk) => {
    pending += chunk.toString()
    const events = pending.split('\n\n')
    pending = events.pop()
    let out = ''
    for (const event of events) {
      const data = /^data: (.*)$/m.exec(event)?.[1]
      if (data === undefined) continue
      if (data === '[DONE]') {
        out += sse('content_block_stop', { index: 0 }) + sse('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: usage ?? { output_tokens: 0 } }) + sse('message_stop', {})
        continue
      }
      try {
        const c = JSON.parse(data)
        if (!started) out += start(c.model)
        const choice = c.choices?.[0]
        if (choice?.delta?.content) out += sse('content_block_delta', { index: 0, delta: { type: 'text_delta', text: choice.delta.content } })
        if (choice?.finish_reason) stop = STOP_REASONS[choice.finish_reason] ?? 'end_turn'
        // The chat stream's last chunk (choices: []) carries the usage; message_delta hands it on.
        if (c.usage) usage = { input_tokens: c.usage.prompt_tokens ?? 0, output_tokens: c.usage.completion_tokens ?? 0 }
      } catch {}
    }
    return out
  }
  rewrite.start = (model) => (started ? '' : start(model))
  return rewrite
}

async function handle(req, res) {
  if (req.url === '/health') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
  // Listening before the body is read: a client that leaves while it is sent is gone all the same.
  const gone = new AbortController()
  res.on('close', () => {
    if (res.writableFinished || DEFECTS.has('keep-hung')) return
    if (DEFECTS.has('cancel-late')) setTimeout(() => gone.abort(), num('CANCEL_LATE_MS', 3000))
    else gone.abort()
  })
  // DEFECTS=zombie-retries: the client's leaving cancels what is in flight, never what comes after.
  const zombies = DEFECTS.has('zombie-retries')
  const clientLeft = () => gone.signal.aborted && !zombies
  const cancelSignal = () => (zombies && gone.signal.aborted ? undefined : gone.signal)
  const body = await readAll(req)
  const model = modelOf(req, body)
  // DEFECTS=resume-with-prefill: what reached the client, and (after a cut) the text to resume from.
  const written = []
  let resume
  if (DEFECTS.has('resume-with-prefill')) recordWrites(res, written)
  const refusal = await admit()
  if (refusal) return refuse(res, refusal)
  if (SHOULD_RETRY_HEADER && RETRIES > 0) res.setHeader('x-should-retry', 'false')
  if (ADDED_LATENCY_MS > 0) await sleep(ADDED_LATENCY_MS)
  const started = Date.now()
  const deadline = DEADLINE_MS > 0 ? started + DEADLINE_MS : Number.POSITIVE_INFINITY
  let last = { status: 502, message: 'no upstream answered' }
  const retries = retriesFor()
  for (let k = 0; k <= retries; k++) {
    if (clientLeft()) return
    if (upstreamsDown) return fail(res, 503, 'upstream marked down')
    const url = pickUpstream(k, model)
    if (!url) return fail(res, 503, 'all upstreams are unavailable (circuit open)', { 'retry-after': String(Math.ceil(BREAK_MS / 1000)) })
    const left = deadline - Date.now()
    if (left <= 0) return fail(res, 504, 'deadline exceeded')
    let waitMs
    try {
      const tryMs = Math.min(TRY_TIMEOUT_MS > 0 ? TRY_TIMEOUT_MS : Number.POSITIVE_INFINITY, left)
      const passed = passBody(body, url)
      const sent =
        k > 0 && DEFECTS.has('retry-no-body') ? Buffer.alloc(0) : resume !== undefined ? withPrefill(passed.body, resume) : passed.body
      const bridge = bridged(url, req)
      const probe = breakerKey(url, model)
      const up = await (
        bridge
          ? attempt(url, req, toChatRequest(sent), tryMs, cancelSignal(), '/v1/chat/completions')
          : attempt(url, req, sent, tryMs, cancelSignal())
      ).catch((err) => {
        endProbe(probe, false)
        throw err
      })
      endProbe(probe, up.statusCode < 500)
      if (resume !== undefined && up.statusCode >= 400) {
        // DEFECTS=resume-with-prefill: the resume was refused, and the client's stream is committed already.
        up.resume()
        if (DEFECTS.has('mask-prefill-rejection')) return cleanEnd(res, req.url)
        streamError(res, `resuming the stream was refused: upstream ${up.statusCode}`)
        return res.end()
      }
      let retryable = RETRY_ON.has(up.statusCode) || (DEFECTS.has('retry-4xx') && up.statusCode >= 400)
      const should = SHOULD_RETRY ? up.headers['x-should-retry'] : undefined
      if (up.statusCode >= 400 && (should === 'true' || should === 'false')) retryable = should === 'true'
      let peeked
      if (up.statusCode === 429 && retryable && !DEFECTS.has('retry-4xx')) {
        // Quota and spend limits are 429s that waiting cannot fix: never retry them.
        peeked = await readAll(up).catch(() => Buffer.alloc(0))
        if (isQuota(peeked.toString())) retryable = false
      }
      if (k > 0) noteRetry(up.statusCode < 400 || !retryable)
      if (peeked !== undefined && (!retryable || k === retries)) return res.writeHead(up.statusCode, up.headers).end(peeked)
      if (up.statusCode < 400 || !retryable || k === retries) {
        if (up.statusCode < 400 || up.statusCode >= 500) record(breakerKey(url, model), up.statusCode < 500)
        const type = String(up.headers['content-type'] ?? '')
        if (!type.startsWith('text/event-stream')) {
          const payload = await readAll(up).catch(() => undefined)
          if (payload === undefined || (VALIDATE_JSON && up.statusCode < 300 && type.includes('json') && !parses(payload))) {
            last = { status: 502, message: 'upstream sent a broken body' }
            if (k < retries) {
              await sleep(backoffMs(k))
              continue
            }
            return fail(res, 502, last.message)
          }
          if (up.statusCode >= 500 && DEFECTS.has('canned-answer')) return fail(res, up.statusCode, 'upstream failed')
          if (bridge && up.statusCode < 300) {
            const message = toMessage(payload)
            return res.writeHead(up.statusCode, { ...up.headers, 'content-length': Buffer.byteLength(message) }).end(message)
          }
          const [headers, answer] = passAnswer(up.headers, payload, passed)
          return res.writeHead(up.statusCode, headers).end(answer)
        }
        const commit = () => {
          if (!res.headersSent) res.writeHead(up.statusCode, streamHeaders(up.headers))
        }
        // DEFECTS=commit-on-headers: the stream is committed when its headers arrive, before its first event.
        if (DEFECTS.has('commit-on-headers')) commit()
        const rewrite = bridge ? chatToMessages() : undefined
        if (rewrite && DEFECTS.has('bridge-clean-end')) {
          // The litellm bridge: 200 and message_start go out before the upstream has said anything.
          commit()
          res.write(rewrite.start())
        }
        const first = STREAM_PEEK && !res.headersSent ? await firstChunk(up) : undefined
        if (first && k < retries && FIRST_EVENT_ERROR.test(first.chunk.toString())) {
          // The stream began with an error event: nothing reached the client yet, so this attempt failed like a 5xx.
          up.destroy()
          record(breakerKey(url, model), false)
          last = { status: 502, message: 'upstream stream began with an error event' }
          await sleep(backoffMs(k))
          continue
        }
        const ended = await pipeStream(up, res, commit, rewrite, first, passed)
        if (ended === 'ok') {
          commit()
          return res.end()
        }
        if (gone.signal.aborted) return
        if (!res.headersSent) {
          // Nothing reached the client (headers then nothing, zero events then a cut): a failed attempt like a
          // reset before headers, retried or failed over.
          failedOn(url, k, retries, true, model)
          markDown()
          last = { status: 502, message: `upstream stream ${ended} before its first event` }
          if (k < retries) await sleep(Math.min(backoffMs(k), Math.max(0, deadline - Date.now())))
          continue
        }
        if (ended === 'broken' && DEFECTS.has('crash-mid-stream')) {
          console.error(`gateway: upstream ${url} broke a stream mid-way; crashing (DEFECTS=crash-mid-stream)`)
          process.exit(1)
        }
        record(breakerKey(url, model), false)
        markDown()
        if (DEFECTS.has('clean-done')) return res.end('data: [DONE]\n\n')
        if (bridge && DEFECTS.has('bridge-clean-end')) return res.end()
        if (DEFECTS.has('splice-stream') && k < retries) continue
        if (DEFECTS.has('resume-with-prefill') && k < retries && !bridge) {
          resume = streamedText(written)
          continue
        }
        // Committed: tokens already reached the client, so say plainly that the stream failed; never splice.
        streamError(res, `upstream stream ${ended}`)
        return res.end()
      }
      if (up.statusCode >= 500 || up.statusCode === 429) markDown()
      if (up.statusCode >= 500) failedOn(url, k, retries, false, model)
      const errorBody = peeked ?? (await readAll(up).catch(() => Buffer.alloc(0)))
      last = { status: up.statusCode, message: errorBody.toString() || `upstream ${up.statusCode}` }
      const ra = retryAfterMs(up.headers, errorBody, up.statusCode)
      if (ra !== undefined && (ra > MAX_RETRY_AFTER_MS || Date.now() + ra > deadline)) {
        // Too long to wait here: another upstream owes that wait nothing (fail over at once); else fail fast.
        if (UPSTREAMS.length < 2 || k === retries) {
          return fail(res, up.statusCode, `upstream asks to wait ${ra} ms, longer than this gateway waits`, { 'retry-after': up.headers['retry-after'] ?? '' })
        }
        waitMs = 0
      } else waitMs = ra ?? backoffMs(k)
    } catch (err) {
      if (clientLeft()) return
      markDown()
      if (k > 0) noteRetry(false)
      if (res.headersSent) return res.destroy()
      failedOn(url, k, retries, true, model)
      last = { status: 502, message: `upstream connection failed: ${err.code ?? err.message}` }
      waitMs = backoffMs(k)
    }
    if (k < retries) await sleep(Math.min(waitMs, Math.max(0, deadline - Date.now())))
  }
  if (last.status >= 400 && last.status < 600 && last.message.startsWith('{') && !DEFECTS.has('canned-answer')) {
    return res.writeHead(last.status, { 'content-type': 'application/json' }).end(last.message)
  }
  fail(res, last.status >= 500 ? last.status : 502, last.message)
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => fail(res, 500, `gateway error: ${err.message}`))
})
server.listen(PORT, HOST, () => console.log(`gateway listening on http://${HOST}:${server.address().port} → ${UPSTREAMS.join(', ')}`))
const stop = () => server.close(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
