#!/usr/bin/env bash
# Proves the README's promise on this machine: a clone with nothing beside it, with only Node.js, npm, git
# and the system's build tools (python3 without tuspy, make, g++: better-sqlite3 compiles from source when
# no prebuilt binary can be downloaded) on PATH, and no Docker, passes `npm test`, skipping what needs a
# missing tool and saying so in a closing summary.
#
#   bash .ci/fresh-clone.sh     # run by .ci/run; needs root to hide the Docker socket
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log() { printf '[fresh-clone] %s\n' "$*" >&2; }

git clone --quiet --no-local "$repo" "$work/tuskit"

# PATH: Node and npm, a shell and the basic utilities, git, and what node-gyp needs to compile. Nothing else:
# no docker, redis-server, chromium, curl, tusd, go, java.
bin="$work/bin"
mkdir "$bin"
for tool in node npm npx bash sh env git python3 make cc gcc g++ c++ cpp as ld ar ranlib strip \
  cat cp mv rm mkdir rmdir ln ls chmod touch head tail wc cut tr grep sed sort uniq dirname basename \
  readlink realpath mktemp date sleep id uname sync df getconf tee xargs find tar gzip; do
  found="$(command -v "$tool" || true)"
  [ -n "$found" ] || { log "warning: $tool is not on this machine"; continue; }
  ln -s "$found" "$bin/$tool"
done
# The python3 of the reduced PATH must not bring tuspy: npm test is to provide it in its own virtualenv.
system_python="$(command -v python3)"
if "$system_python" -c 'import tusclient' 2>/dev/null; then
  rm "$bin/python3"
  printf '#!/bin/sh\nexec %s -S "$@"\n' "$system_python" >"$bin/python3"
  chmod +x "$bin/python3"
fi

# A clean environment: no CI (missing tools skip rather than fail), none of the backends' variables.
keep=(HOME="$HOME" PATH="$bin" LANG="${LANG:-C.UTF-8}" TMPDIR="$work")
for name in NODE_EXTRA_CA_CERTS PIP_CERT PIP_FIND_LINKS PIP_INDEX_URL PIP_DEFAULT_TIMEOUT \
  http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY npm_config_nodedir; do
  [ -n "${!name:-}" ] && keep+=("$name=${!name}")
done

# testcontainers finds a Docker daemon through its socket whatever PATH says: hide the socket from this run.
hide_docker=''
[ -S /var/run/docker.sock ] && hide_docker='mount --bind /dev/null /var/run/docker.sock && '

output="$work/npm-test.log"
log "npm test in a fresh clone ($work/tuskit), PATH reduced to $(ls "$bin" | wc -l) tools, no Docker"
set +e
unshare --mount --propagation private sh -c "${hide_docker}cd '$work/tuskit' && exec env -i \"\$@\" npm test" \
  sh "${keep[@]}" 2>&1 | tee "$output"
status=${PIPESTATUS[0]}
set -e

[ "$status" -eq 0 ] || { log "FAILED: npm test exited $status"; exit 1; }
for expected in 'because a tool is missing' '  Docker: ' '  redis-server: ' '  Chromium: ' '  curl: '; do
  grep -qF -- "$expected" "$output" || { log "FAILED: the skip summary lacks \"$expected\""; exit 1; }
done
grep -qF '[skip] ' "$output" || { log 'FAILED: no one-line skip notice'; exit 1; }
log "passed: exit 0, and the skips are announced and summed up"
