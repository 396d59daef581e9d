#!/bin/sh
# Starts HAProxy (Debian 2.6) in the foreground as an LLM reverse proxy in front of the scenario's upstreams.
# PORT: where HAProxy listens. UPSTREAMS: comma-separated base URLs (http://127.0.0.1:NNNN).
# L7 retries (retry-on): connection failures, empty or junk responses, a server timeout before the response,
# and 500/502/503/504 (HAProxy 2.6 cannot retry on 429: retry-on accepts only 401/403/404/408/425/5xx codes).
# `retries 3` = up to 4 attempts per request; `option redispatch 1` moves every retry to another server when
# there is one. `timeout server 10s` is the per-attempt read timeout (also the idle timeout of a stream).
# `option http-no-delay` forwards every SSE frame at once: without it HAProxy 2.6 coalesces frames (measured:
# pairs of chunks 400 ms apart for a 200 ms inter-token gap). NO_DELAY=0 leaves it out.
# Optional: RETRIES (default 3), SERVER_TIMEOUT (10s), RETRY_ON (the list above), NO_DELAY (1).
set -eu
dir=$(mktemp -d "${TMPDIR:-/tmp}/brownout-haproxy-XXXXXX")
servers=""
nodelay=""
[ "${NO_DELAY:-1}" = 0 ] || nodelay="  option http-no-delay"
i=0
for u in $(echo "$UPSTREAMS" | tr ',' ' '); do
  i=$((i + 1))
  servers="$servers
  server up$i ${u#http://}"
done
cat > "$dir/haproxy.cfg" <<CONF
global
  maxconn 4096
defaults
  mode http
  log stdout format raw local0 info
  option httplog
  timeout connect 2s
  timeout client 30s
  timeout server ${SERVER_TIMEOUT:-10s}
  timeout http-request 10s
frontend llm
  bind 127.0.0.1:$PORT
  http-request return status 200 content-type application/json string '{"status":"ok"}' if { path /health }
  default_backend upstreams
backend upstreams
  balance roundrobin
  http-reuse safe
  retries ${RETRIES:-3}
  retry-on ${RETRY_ON:-conn-failure empty-response junk-response response-timeout 500 502 503 504}
  option redispatch 1
$nodelay
$servers
CONF
haproxy -c -q -f "$dir/haproxy.cfg"
# Not exec: this shell stays to remove the generated config when the server ends. brownout signals the whole
# process group, so the server gets SIGTERM itself; the trap only waits for it and cleans up.
haproxy -db -f "$dir/haproxy.cfg" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" || true; rm -rf "$dir"; exit 0' TERM INT
set +e; wait "$pid"
code=$?
rm -rf "$dir"
exit "$code"
