#!/usr/bin/env bash
# What the end-to-end suites need besides the Docker engine (scripts/provision-engine.sh) and the
# npm devDependencies (the Dev Containers CLI comes with `npm ci` as @devcontainers/cli): Debian's
# chromium for the dashboard's browser tests (playwright-core drives it; `npx playwright install`
# cannot download browsers without internet access). Idempotent.
set -euo pipefail
log() { printf '[test-tools] %s\n' "$*" >&2; }

if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "chromium is missing: install it (Debian/Ubuntu: apt-get install chromium) for the browser tests"
  exit 1
fi
log "installing chromium (Debian) for the browser tests"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
log "$(chromium --version)"
