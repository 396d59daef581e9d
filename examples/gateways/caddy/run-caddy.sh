#!/bin/sh
# Starts Caddy (Debian caddy 2.6) in the foreground as an LLM reverse proxy in front of the scenario's upstreams.
# PORT: where Caddy listens. UPSTREAMS: comma-separated base URLs (http://127.0.0.1:NNNN).
# Retries: up to lb_retries (3) more attempts within lb_try_duration (5s), lb_try_interval (250ms) apart.
# Caddy retries a request only when the upstream cannot be reached (dial error) or, for requests that match
# lb_retry_match (here: POST, i.e. every LLM call), when the round trip fails (reset, empty reply, timeout).
# It never retries on a response status (a 503 or 429 goes to the client): Caddy 2.6 has no such option.
# flush_interval -1 streams SSE through at once; /health is answered by Caddy itself. grace_period 1s: without it
# Caddy waits forever on SIGTERM for open connections (a stalled stream keeps it alive).
# Measured here (docs/real-gateways.md): Caddy 2.6.2 sends every retry of a POST without its body ("ContentLength=N
# with Body length 0"), even after a refused connection, so its retries and failover of LLM calls fail
# (`buffer_requests` does not help).
# Optional: RETRIES (3), TRY_DURATION (5s), TRY_INTERVAL (250ms), HEADER_TIMEOUT (10s).
set -eu
dir=$(mktemp -d "${TMPDIR:-/tmp}/brownout-caddy-XXXXXX")
to=""
for u in $(echo "$UPSTREAMS" | tr ',' ' '); do to="$to ${u#http://}"; done
cat > "$dir/Caddyfile" <<CONF
{
	admin off
	auto_https off
	grace_period 1s
}
http://:$PORT {
	bind 127.0.0.1
	handle /health {
		header content-type application/json
		respond \`{"status":"ok"}\` 200
	}
	handle {
		reverse_proxy$to {
			lb_policy round_robin
			lb_retries ${RETRIES:-3}
			lb_try_duration ${TRY_DURATION:-5s}
			lb_try_interval ${TRY_INTERVAL:-250ms}
			lb_retry_match {
				method POST
			}
			flush_interval -1
			transport http {
				dial_timeout 2s
				response_header_timeout ${HEADER_TIMEOUT:-10s}
			}
		}
	}
}
CONF
export XDG_DATA_HOME="$dir" XDG_CONFIG_HOME="$dir"
# Not exec: this shell stays to remove the generated config when the server ends. brownout signals the whole
# process group, so the server gets SIGTERM itself; the trap only waits for it and cleans up.
caddy run --config "$dir/Caddyfile" --adapter caddyfile &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" || true; rm -rf "$dir"; exit 0' TERM INT
set +e; wait "$pid"
code=$?
rm -rf "$dir"
exit "$code"
