#!/bin/sh
# UNTESTED HERE (LiteLLM is Python; PyPI is not reachable on brownout's build machines). Written from LiteLLM's
# proxy documentation: a config whose deployments are the scenario's upstreams, router retries and cooldowns.
set -eu
dir=$(mktemp -d "${TMPDIR:-/tmp}/brownout-litellm-XXXXXX")
{
  echo "model_list:"
  for u in $(echo "$UPSTREAMS" | tr ',' ' '); do
    printf '  - model_name: gpt-4o-mini\n    litellm_params: { model: openai/gpt-4o-mini, api_base: "%s/v1", api_key: sk-fake }\n' "$u"
  done
  echo "router_settings: { num_retries: 2, timeout: 30, allowed_fails: 3, cooldown_time: 5 }"
  echo "litellm_settings: { request_timeout: 30 }"
} > "$dir/config.yaml"
trap 'rm -rf "$dir"' EXIT
exec litellm --config "$dir/config.yaml" --port "$PORT" --host 127.0.0.1
