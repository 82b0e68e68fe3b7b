# shellcheck shell=bash
# Installs the real TUS clients the end-to-end tests drive, when missing:
# curl (Debian) and tuspy (PyPI, pinned in examples/server/requirements-e2e.txt);
# iproute2 (Debian: ss, and ip for the test that runs instances as hosts in network namespaces);
# redis-server (Debian), which the Redis locker's tests start on a free
# loopback port themselves (no system service is used or needed); and
# chromium (Debian), which the upload page's browser test drives through
# playwright-core (no browser is downloaded); postgresql (Debian), whose
# initdb and postgres binaries the reference server's tests run as a throwaway
# server in a temporary directory (no system cluster is used or needed); and the
# Java TUS client io.tus.java.client:tus-java-client from Maven Central (needs java and mvn).
# Sourced by .ci/run; returns non-zero on failure.

_tuskit_prepare_clients() (
  missing=''
  command -v curl >/dev/null 2>&1 || missing="$missing curl"
  { command -v ss && command -v ip; } >/dev/null 2>&1 || missing="$missing iproute2"
  command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
  [ -x /usr/bin/chromium ] || missing="$missing chromium"
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing="$missing postgresql"
  if [ -n "$missing" ]; then
    # shellcheck disable=SC2086 # one word per package
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2 || exit 1
  fi
  if ! redis-server --version >/dev/null 2>&1; then
    echo "redis-server is not runnable after installing it" >&2
    exit 1
  fi
  if ! /usr/bin/chromium --version >/dev/null 2>&1; then
    echo "chromium is not runnable after installing it" >&2
    exit 1
  fi
  if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    echo "postgresql is not installed after installing it" >&2
    exit 1
  fi
  # The Java TUS client, from Maven Central into the local Maven repository (where its test looks for it).
  if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless maven >&2 || exit 1
  fi
  mvn -q -B dependency:get -Dartifact="io.tus.java.client:tus-java-client:0.5.0" >&2 || exit 1
  requirements="$(dirname "${BASH_SOURCE[0]}")/../examples/server/requirements-e2e.txt"
  if [ -f "$requirements" ] && ! python3 -c 'import tusclient' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2 || exit 1
  fi
)

if _tuskit_prepare_clients; then _tuskit_clients_status=0; else _tuskit_clients_status=1; fi
unset -f _tuskit_prepare_clients
return "$_tuskit_clients_status" 2>/dev/null || exit "$_tuskit_clients_status"
