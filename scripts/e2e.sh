#!/usr/bin/env bash
# npm run test:e2e — installs real gateways (nginx, HAProxy and Caddy from Debian, Portkey from npm), runs the
# whole catalogue against each, one suite at a time, and writes their scorecards to
# docs/scorecards/<gateway>-<date>.md. Opt-in: about 2.5 minutes per gateway on 2 cores; needs apt (as root)
# and the npm registry. Fails if a suite could not run (exit 2 or 3), not if a gateway fails scenarios: that
# is the result being recorded. E2E_ONLY="haproxy caddy" runs a subset; E2E_FAST=0.5 shrinks the scenarios.
set -uo pipefail
cd "$(dirname "$0")/.."
date=$(date -u +%Y-%m-%d)
npm run build >/dev/null || exit 1

only=" ${E2E_ONLY:-nginx haproxy caddy portkey} "
wanted() { case "$only" in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

missing=""
wanted nginx && ! command -v nginx >/dev/null 2>&1 && missing="$missing nginx-light"
wanted haproxy && ! command -v haproxy >/dev/null 2>&1 && missing="$missing haproxy"
wanted caddy && ! command -v caddy >/dev/null 2>&1 && missing="$missing caddy"
if [ -n "$missing" ]; then
  # shellcheck disable=SC2086 # one word per package
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing) >/dev/null || { echo "cannot install$missing"; exit 1; }
fi
if wanted portkey; then
  (cd examples/gateways/portkey && npm install --no-audit --no-fund >/dev/null) || { echo "cannot install Portkey"; exit 1; }
fi

status=0
run_suite() {
  local name=$1 profile=$2 version=$3
  # E2E_OUT=DIR keeps each suite's reports (timelines, journals) in DIR/<name>; by default they are thrown away.
  local out
  if [ -n "${E2E_OUT:-}" ]; then out=$E2E_OUT/$name; mkdir -p "$out"; else out=$(mktemp -d); fi
  node dist/cli/main.js suite --sut "$profile" --out "$out" ${E2E_FAST:+--fast "$E2E_FAST"}
  local code=$?
  if [ "$code" -gt 1 ]; then echo "suite against $name could not run (exit $code)"; status=1; return; fi
  {
    echo "# $name — brownout scorecard ($date)"
    echo
    echo "- gateway: $version"
    echo "- brownout: $(node -p 'require("./package.json").version'), Node $(node --version), $(nproc) cores"
    echo "- profile: \`$profile\`"
    echo
    sed '1d' "$out/scorecard.md"
  } > "docs/scorecards/$name-$date.md"
  echo "scorecard: docs/scorecards/$name-$date.md"
}

wanted nginx && run_suite nginx examples/gateways/nginx/nginx.sut.yaml "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///')"
wanted haproxy && run_suite haproxy examples/gateways/haproxy/haproxy.sut.yaml "HAProxy $(haproxy -v | sed -n '1s/^HAProxy version \([^ ]*\).*/\1/p')"
wanted caddy && run_suite caddy examples/gateways/caddy/caddy.sut.yaml "Caddy $(caddy version | cut -d' ' -f1)"
wanted portkey && run_suite portkey examples/gateways/portkey/portkey.sut.yaml "@portkey-ai/gateway $(node -p 'require("./examples/gateways/portkey/node_modules/@portkey-ai/gateway/package.json").version')"
exit $status
