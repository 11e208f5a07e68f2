#!/usr/bin/env bash
# Makes sure a Docker engine with the Compose v2 plugin answers. When one does (Docker Desktop, a
# system dockerd, CI after the first run) this returns in a fraction of a second. On a bare Debian
# machine, as root, it installs what is missing: the engine (Debian docker.io), the Compose v2 plugin
# (Debian trixie's static build; bookworm has none) and starts dockerd. Elsewhere it says what to
# install. Idempotent. Writes the PID of a dockerd it started to $LLMDEV_DOCKERD_PIDFILE so the
# caller (.ci/run) can stop it (scripts/stop-engine.sh).
set -euo pipefail

pidfile=${LLMDEV_DOCKERD_PIDFILE:-/tmp/llmdev-dockerd.pid}
log() { printf '[engine] %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

if docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  exit 0
fi

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! docker info >/dev/null 2>&1 && ! command -v dockerd >/dev/null 2>&1; then
  can_install || fail "no Docker engine: install Docker (https://docs.docker.com/engine/install/) and start it"
  log "installing the Docker engine (docker.io)"
  apt_install docker.io
fi

if ! docker compose version >/dev/null 2>&1; then
  can_install || fail "Docker Compose v2 is missing: install the docker-compose-plugin package (Docker Desktop has it)"
  log "installing the Compose v2 plugin from Debian trixie"
  list=/etc/apt/sources.list.d/llmdev-trixie.list
  tmp=$(mktemp -d)
  trap 'rm -f "$list"; rm -rf "$tmp"' EXIT
  echo "deb http://deb.debian.org/debian trixie main" >"$list"
  apt-get update -qq -o Dir::Etc::sourcelist="$list" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0
  (cd "$tmp" && apt-get download -qq -t trixie docker-compose)
  rm -f "$list"
  apt-get update -qq
  dpkg -x "$tmp"/docker-compose_*.deb "$tmp/x"
  mkdir -p /usr/local/lib/docker/cli-plugins
  # the .deb also holds a lintian override named docker-compose: take the executable plugin
  install -m 0755 "$(find "$tmp/x" -type f -path '*cli-plugins/docker-compose' | head -n1)" \
    /usr/local/lib/docker/cli-plugins/docker-compose
fi

if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "the Docker engine is not running: start it (Docker Desktop, or \`sudo systemctl start docker\`)"
  command -v dockerd >/dev/null 2>&1 || fail "dockerd is not installed: install Docker (https://docs.docker.com/engine/install/)"
  log "starting dockerd"
  setsid dockerd >/var/log/llmdev-dockerd.log 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || fail "dockerd did not start; see /var/log/llmdev-dockerd.log"
fi
log "engine $(docker version --format '{{.Server.Version}}'), compose $(docker compose version --short)"
