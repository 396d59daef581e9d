// The streaming baseline: a bare node:http server that answers every POST with an SSE stream of TOKENS chat chunks,
// one every ITL ms scheduled against the request's arrival (as brownout schedules its tokens), and counts how late
// each write went out in brownout's own histogram buckets (GET /timing: cumulative counts by upper bound, in ms).
// Usage: node bare-stream-server.mjs ITL_MS TOKENS
import http from 'node:http'

const itl = Number(process.argv[2] ?? 20)
const tokens = Number(process.argv[3] ?? 60)
const BOUNDS_MS = [0.5, 1, 2, 5, 10, 20, 50, 100, 250, 1000, Number.POSITIVE_INFINITY]
const counts = BOUNDS_MS.map(() => 0)
const event = (i) =>
  `data: {"id":"chatcmpl-bare","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"tok${i} "},"finish_reason":null}]}\n\n`

const server = http.createServer((req, res) => {
  const arrival = performance.now()
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/timing') {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify(BOUNDS_MS.map((le, i) => [le, counts.slice(0, i + 1).reduce((a, b) => a + b, 0)])))
    }
    if (chunks.length > 0) JSON.parse(Buffer.concat(chunks).toString())
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    let i = 0
    const tick = () => {
      const late = performance.now() - (arrival + i * itl)
      if (i > 0) counts[BOUNDS_MS.findIndex((le) => late <= le)]++
      res.write(event(i))
      if (++i < tokens) setTimeout(tick, Math.max(0, arrival + i * itl - performance.now()))
      else res.end('data: [DONE]\n\n')
    }
    tick()
  })
})
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`))
process.on('SIGTERM', () => process.exit(0))
