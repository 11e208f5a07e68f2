#!/usr/bin/env bash
# What the test suites need besides the Docker engine (scripts/provision-engine.sh) and the npm
# devDependencies (the Dev Containers CLI comes with `npm ci` as @devcontainers/cli): Debian's
# chromium for the dashboard's browser tests (playwright-core drives it; `npx playwright install`
# cannot download browsers without internet access), and Debian's PostgreSQL server binaries for
# the team-mode tests (each test runs its own private server from them: test/helpers/postgres.ts).
# Idempotent, and quick when both are there.
set -euo pipefail
log() { printf '[test-tools] %s\n' "$*" >&2; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "missing: ${missing[*]}: install them (Debian/Ubuntu: apt-get install ${missing[*]}) for the browser and team-mode tests"
  exit 1
fi
log "installing ${missing[*]} (Debian) for the browser and team-mode tests"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
command -v chromium >/dev/null 2>&1 && log "$(chromium --version)"
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && log "$(ls -d /usr/lib/postgresql/*/bin | head -1)/postgres installed"
