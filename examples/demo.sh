#!/usr/bin/env bash
# What `make demo` runs inside the workspace container: every example against the sidecar (the
# built-in mock provider when no API key is configured). Their npm packages are in the workspace's
# node_modules volume: the dev container's postCreateCommand installed them during `make up`.
set -euo pipefail
cd "$(dirname "$0")/.."

for example in chat streaming anthropic prompt-versioned cost-estimate; do
  printf '\n== examples/%s.ts\n' "$example"
  tsx "examples/$example.ts"
done
