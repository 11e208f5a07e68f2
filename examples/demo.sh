#!/usr/bin/env bash
# What `make demo` runs inside the workspace container: installs the npm packages the examples need
# when the node_modules volume lacks them (or predates package-lock.json), then runs every example
# against the sidecar (the built-in mock provider when no API key is configured).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "demo: installing npm packages into the workspace's node_modules volume (npm ci)..." >&2
  # --ignore-scripts: the examples need no native addon; the sidecar's (better-sqlite3) is built into
  # its own image, and compiling it here would need a C++ toolchain the workspace does not have.
  npm ci --no-audit --no-fund --no-update-notifier --ignore-scripts --loglevel=error
fi

for example in chat streaming anthropic prompt-versioned cost-estimate; do
  printf '\n== examples/%s.ts\n' "$example"
  tsx "examples/$example.ts"
done
