#!/bin/sh
# Starts nginx in the foreground as an LLM reverse proxy in front of the scenario's upstreams.
# PORT: where nginx listens. UPSTREAMS: comma-separated base URLs (http://127.0.0.1:NNNN).
# Retries follow the reference config of shared docs: proxy_next_upstream on errors, timeouts, 5xx and 429,
# for POSTs too (non_idempotent), each server at most once per request.
# RATE_LIMIT (optional, N/<ms>ms as {{sut_limits.rate}} renders it, e.g. 20/1000ms): nginx's own limiter,
# limit_req at N per window with no burst, refusing with a 429 in the OpenAI error shape and Retry-After: 1
# (nginx-limit.sut.yaml). Empty: no limiter.
set -eu
dir=$(mktemp -d "${TMPDIR:-/tmp}/brownout-nginx-XXXXXX")
mkdir -p "$dir/logs" "$dir/tmp"
servers=""
for u in $(echo "$UPSTREAMS" | tr ',' ' '); do
  hostport=${u#http://}
  servers="$servers server $hostport max_fails=1 fail_timeout=${FAIL_TIMEOUT:-10s};"
done
zone=""; limit=""
if [ -n "${RATE_LIMIT:-}" ]; then
  n=${RATE_LIMIT%%/*}; ms=${RATE_LIMIT#*/}; ms=${ms%ms}
  zone="limit_req_zone \$binary_remote_addr zone=llm:1m rate=$((n * 60000 / ms))r/m;"
  limit="limit_req zone=llm; limit_req_status 429; error_page 429 = @limited;"
  limited='location @limited { default_type application/json; add_header Retry-After 1 always; return 429 '"'"'{"error":{"message":"rate limited by nginx","type":"rate_limit_exceeded","param":null,"code":"rate_limit_exceeded"}}'"'"'; }'
fi
cat > "$dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy; fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  upstream llm { $servers keepalive 32; }
  $zone
  server {
    listen 127.0.0.1:$PORT;
    location = /health { return 200 '{"status":"ok"}'; }
    location / {
      proxy_pass http://llm; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_next_upstream error timeout http_500 http_502 http_503 http_504 http_429 non_idempotent;
      proxy_next_upstream_tries ${TRIES:-3}; proxy_connect_timeout 2s; proxy_read_timeout ${READ_TIMEOUT:-10s};
      proxy_buffering off;
      $limit
    }
    ${limited:-}
  }
}
CONF
# Not exec: this shell stays to remove the generated config when the server ends. brownout signals the whole
# process group, so the server gets SIGTERM itself; the trap only waits for it and cleans up.
nginx -p "$dir" -c "$dir/nginx.conf" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" || true; rm -rf "$dir"; exit 0' TERM INT
set +e; wait "$pid"
code=$?
rm -rf "$dir"
exit "$code"
