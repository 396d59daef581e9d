// The baseline: a bare node:http server that parses the request JSON and returns the same bytes brownout would:
// the same body and, when a headers file is given, the same response headers.
import { readFileSync } from 'node:fs'
import http from 'node:http'

const body = readFileSync(process.argv[2])
const extra = process.argv[3] ? JSON.parse(readFileSync(process.argv[3], 'utf8')) : {}
const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    // brownout's driver warms its connections up with bodiless requests: parse what there is.
    if (chunks.length > 0) JSON.parse(Buffer.concat(chunks).toString())
    res.writeHead(200, { ...extra, 'content-type': 'application/json', 'content-length': body.length })
    res.end(body)
  })
})
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`))
process.on('SIGTERM', () => process.exit(0))
