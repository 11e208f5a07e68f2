#!/usr/bin/env bash
# The Python client's virtual environment, python/.venv, with `pip install -e 'python[dev]'` (pytest,
# mypy, and the stock openai and anthropic SDKs, which the Python end-to-end tests use too). A venv
# because Debian's pip refuses installs into the system Python (PEP 668). Installs Debian's
# python3-venv when `python3 -m venv` cannot work (a bare Debian 12 lacks ensurepip). Idempotent;
# the Makefile calls it only when python/pyproject.toml changed.
set -euo pipefail
log() { printf '[python-deps] %s\n' "$*" >&2; }
cd "$(dirname "$0")/.."
VENV=python/.venv

if ! command -v python3 >/dev/null 2>&1; then
  log "python3 is missing: install Python 3.10 or later (Debian: apt-get install python3 python3-venv)"
  exit 1
fi
probe=$(mktemp -d)
if ! python3 -m venv "$probe/venv" >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "python3 -m venv does not work: install the venv module (Debian/Ubuntu: apt-get install python3-venv)"
    rm -rf "$probe"
    exit 1
  fi
  log "installing python3-venv (Debian) for python/.venv"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi
rm -rf "$probe"

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e 'python[dev]'
log "$("$VENV/bin/python" --version) in $VENV with llmdev, pytest, mypy, openai and anthropic"
