#!/usr/bin/env bash
# Installs and starts what a fresh Debian 12 machine lacks to run llmdev's real-container tests:
# the Docker engine (Debian docker.io), the Compose v2 plugin (Debian trixie's static build),
# a running dockerd, and the Dev Containers CLI. Idempotent: each step is skipped when already done.
# Writes the PID of a dockerd it started to $LLMDEV_DOCKERD_PIDFILE so the caller can stop it.
set -euo pipefail

pidfile=${LLMDEV_DOCKERD_PIDFILE:-/tmp/llmdev-dockerd.pid}
log() { printf '[provision] %s\n' "$*" >&2; }
need_root() { [ "$(id -u)" = 0 ] || { log "must run as root to install packages"; exit 1; }; }

apt_updated=0
apt_install() {
  need_root
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing Docker engine (docker.io)"
  apt_install docker.io
fi

if ! docker compose version >/dev/null 2>&1; then
  rm -f /usr/local/lib/docker/cli-plugins/docker-compose
  log "installing Compose v2 plugin from Debian trixie"
  need_root
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
  install -m 0755 "$(find "$tmp/x" -type f -path '*cli-plugins/docker-compose' | head -n1)" /usr/local/lib/docker/cli-plugins/docker-compose
  docker compose version >&2
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  need_root
  setsid dockerd >/var/log/llmdev-dockerd.log 2>&1 < /dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/llmdev-dockerd.log"; exit 1; }
fi
log "engine: $(docker version --format '{{.Server.Version}}'), compose: $(docker compose version --short)"

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap (for registry-free base images)"
  apt_install debootstrap
fi
