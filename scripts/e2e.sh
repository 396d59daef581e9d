#!/usr/bin/env bash
# npm run test:e2e — installs real gateways (nginx from Debian, Portkey from npm), runs the whole catalogue
# against each, and writes their scorecards to docs/scorecards/<gateway>-<date>.md. Opt-in: it takes minutes
# and needs apt (as root) and the npm registry. Fails if a suite could not run (exit 2 or 3), not if a gateway
# fails scenarios: that is the result being recorded.
set -uo pipefail
cd "$(dirname "$0")/.."
date=$(date -u +%Y-%m-%d)
npm run build >/dev/null || exit 1

if ! command -v nginx >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx-light) >/dev/null || { echo "cannot install nginx-light"; exit 1; }
fi
(cd examples/gateways/portkey && npm install --no-audit --no-fund >/dev/null) || { echo "cannot install Portkey"; exit 1; }

status=0
run_suite() {
  local name=$1 profile=$2 version=$3
  local out; out=$(mktemp -d)
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

run_suite nginx examples/gateways/nginx/nginx.sut.yaml "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///')"
run_suite portkey examples/gateways/portkey/portkey.sut.yaml "@portkey-ai/gateway $(node -p 'require("./examples/gateways/portkey/node_modules/@portkey-ai/gateway/package.json").version')"
exit $status
