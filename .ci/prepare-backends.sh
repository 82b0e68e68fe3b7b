# shellcheck shell=bash
#
# Prepares the real backends that @tuskit/testkit starts (MinIO for S3,
# fake-gcs-server for GCS) on a machine with no image registry:
#
#   source .ci/prepare-backends.sh
#
# 1. installs Debian's docker.io when dockerd is missing,
# 2. starts dockerd (no bridge, no iptables) when `docker info` fails,
# 3. builds static binaries with `go install` into a cache outside the repo,
# 4. builds FROM-scratch images from .ci/images/*/Dockerfile,
# 5. exports TUSKIT_MINIO_IMAGE, TUSKIT_FAKE_GCS_IMAGE,
#    TUSKIT_CONTAINER_NETWORK=host, TESTCONTAINERS_RYUK_DISABLED=true,
#    and TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1.
#
# Every step is skipped when its result already exists, so a warm rerun takes
# well under a second. Knobs: TUSKIT_CACHE_DIR (default /var/cache/tuskit),
# TUSKIT_DOCKERD_LOG (default /var/log/tuskit-dockerd.log),
# TUSKIT_DOCKERD_TIMEOUT (seconds, default 60).
#
# It is sourced, so it must neither change the caller's shell options nor rely
# on them: the steps run as subshell functions `f() ( ... )` and check every
# command explicitly, because bash ignores `set -e` inside anything called
# from an `if`/`||` context, which is exactly how failures are caught here.

# Pinned versions. The Go module proxy only serves MinIO as pseudo-versions
# (its RELEASE.* tags are not semver), so MinIO is pinned to a commit.
TUSKIT_MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
TUSKIT_FAKE_GCS_VERSION="v1.56.1"

_tuskit_log() {
  printf '[prepare-backends] %s\n' "$*" >&2
}

# Only for use inside subshell functions: ends the step, not the caller.
_tuskit_die() {
  _tuskit_log "$*"
  exit 1
}

_tuskit_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

_tuskit_docker_answers() {
  docker info >/dev/null 2>&1
}

_tuskit_install_docker() (
  command -v dockerd >/dev/null 2>&1 && exit 0
  _tuskit_log "dockerd not found: installing Debian's docker.io"
  _tuskit_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    _tuskit_die "apt-get update failed"
  _tuskit_as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends docker.io >&2 ||
    _tuskit_die "apt-get install docker.io failed"
  command -v dockerd >/dev/null 2>&1 ||
    _tuskit_die "docker.io is installed but dockerd is still not on PATH"
)

# Succeeds when a dockerd from an earlier run is alive (possibly still
# starting), so that we wait for it instead of racing a second daemon.
_tuskit_dockerd_alive() {
  local pid
  pid="$(cat /var/run/docker.pid 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

_tuskit_dockerd_failed() {
  _tuskit_log "$1; last lines of $2:"
  tail -n 30 "$2" >&2
  exit 1
}

_tuskit_start_dockerd() (
  _tuskit_docker_answers && exit 0
  log_file="${TUSKIT_DOCKERD_LOG:-/var/log/tuskit-dockerd.log}"
  timeout_s="${TUSKIT_DOCKERD_TIMEOUT:-60}"
  pid=""
  if _tuskit_dockerd_alive; then
    _tuskit_log "dockerd is running but not answering yet: waiting"
  else
    _tuskit_log "starting dockerd (log: $log_file)"
    mkdir -p "$(dirname "$log_file")" || _tuskit_die "cannot create the directory of $log_file"
    # No bridge: this machine must not get private addresses; containers use
    # --network host instead. setsid detaches it from the caller's job control.
    _tuskit_as_root setsid dockerd --bridge=none --iptables=false \
      </dev/null >>"$log_file" 2>&1 &
    pid=$!
  fi
  deadline=$((SECONDS + timeout_s))
  until _tuskit_docker_answers; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      _tuskit_dockerd_failed "dockerd exited during startup" "$log_file"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      _tuskit_dockerd_failed "docker info did not answer within ${timeout_s}s" "$log_file"
    fi
    sleep 1
  done
  _tuskit_log "dockerd answers"
)

# Usage: _tuskit_go_binary NAME MODULE VERSION -> prints the cached binary path.
# The cache key is NAME-VERSION: a new pin means a new build, nothing else does.
_tuskit_go_binary() (
  name="$1" module="$2" version="$3"
  bin_dir="${TUSKIT_CACHE_DIR:-/var/cache/tuskit}/bin"
  target="$bin_dir/$name-$version"
  mkdir -p "$bin_dir" || _tuskit_die "cannot create $bin_dir"
  # Serialises concurrent runs (e.g. two shells) on the same cache.
  exec 9>"$bin_dir/.lock-$name" || _tuskit_die "cannot open the lock in $bin_dir"
  flock 9 || _tuskit_die "cannot lock $bin_dir/.lock-$name"
  if [ ! -x "$target" ]; then
    command -v go >/dev/null 2>&1 || _tuskit_die "go is required to build $name but is not on PATH"
    gobin="$(mktemp -d "$bin_dir/.build-$name.XXXXXX")" || _tuskit_die "mktemp failed in $bin_dir"
    trap 'rm -rf "$gobin"' EXIT
    build_log="$bin_dir/build-$name.log"
    _tuskit_log "building $name@$version (log: $build_log; MinIO takes minutes)"
    # Outside any module so that the repo's files cannot influence the build.
    if ! (cd "$gobin" && CGO_ENABLED=0 GOBIN="$gobin" go install "$module@$version") >"$build_log" 2>&1; then
      _tuskit_log "go install $module@$version failed; last lines of $build_log:"
      tail -n 30 "$build_log" >&2
      exit 1
    fi
    mv -f "$gobin/$name" "$target" || _tuskit_die "cannot move the $name binary into $bin_dir"
  fi
  printf '%s\n' "$target"
)

# Usage: _tuskit_image NAME BINARY TAG -> builds TAG from .ci/images/NAME.
_tuskit_image() (
  name="$1" binary="$2" tag="$3"
  dockerfile="$_TUSKIT_CI_DIR/images/$name/Dockerfile"
  [ -f "$dockerfile" ] || _tuskit_die "missing $dockerfile"
  # The tag only names the binary's version; the label catches Dockerfile edits.
  recipe="$(sha256sum "$dockerfile" | cut -c1-16)"
  built="$(docker image inspect --format '{{ index .Config.Labels "org.tuskit.recipe" }}' "$tag" 2>/dev/null)"
  [ "$built" = "$recipe" ] && exit 0
  context="$(mktemp -d)" || _tuskit_die "mktemp failed"
  trap 'rm -rf "$context"' EXIT
  # scratch has no directories at all; these become /tmp, /data, ... .
  if ! { mkdir -p "$context/rootfs/tmp" "$context/rootfs/data" \
    "$context/rootfs/root" "$context/rootfs/storage" &&
    chmod 1777 "$context/rootfs/tmp" &&
    cp "$binary" "$context/$name"; }; then
    _tuskit_die "cannot prepare the build context for $tag"
  fi
  _tuskit_log "building image $tag"
  # Output only on failure: the legacy builder's deprecation banner is noise.
  if ! output="$(docker build --quiet --label "org.tuskit.recipe=$recipe" \
    -t "$tag" -f "$dockerfile" "$context" 2>&1)"; then
    printf '%s\n' "$output" >&2
    _tuskit_die "docker build of $tag failed"
  fi
  # The image this tag pointed at before a Dockerfile edit is now dangling.
  docker image prune --force --filter "label=org.tuskit.recipe" >/dev/null ||
    _tuskit_log "warning: could not prune dangling tuskit images"
)

_tuskit_prepare_backends() {
  local started=$SECONDS minio_bin gcs_bin
  local minio_tag="tuskit-local/minio:$TUSKIT_MINIO_VERSION"
  local gcs_tag="tuskit-local/fake-gcs-server:$TUSKIT_FAKE_GCS_VERSION"
  _tuskit_install_docker || return 1
  _tuskit_start_dockerd || return 1
  minio_bin="$(_tuskit_go_binary minio github.com/minio/minio "$TUSKIT_MINIO_VERSION")" || return 1
  gcs_bin="$(_tuskit_go_binary fake-gcs-server github.com/fsouza/fake-gcs-server "$TUSKIT_FAKE_GCS_VERSION")" || return 1
  _tuskit_image minio "$minio_bin" "$minio_tag" || return 1
  _tuskit_image fake-gcs-server "$gcs_bin" "$gcs_tag" || return 1

  export TUSKIT_MINIO_IMAGE="$minio_tag"
  export TUSKIT_FAKE_GCS_IMAGE="$gcs_tag"
  export TUSKIT_CONTAINER_NETWORK=host
  export TESTCONTAINERS_RYUK_DISABLED=true
  # Inside a container testcontainers would look for the (absent) bridge
  # network's gateway to find the Docker host.
  export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
  _tuskit_log "ready in $((SECONDS - started))s: $minio_tag, $gcs_tag"
}

_TUSKIT_CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if _tuskit_prepare_backends; then _tuskit_status=0; else _tuskit_status=1; fi
unset -f _tuskit_log _tuskit_die _tuskit_as_root _tuskit_docker_answers \
  _tuskit_install_docker _tuskit_dockerd_alive _tuskit_dockerd_failed \
  _tuskit_start_dockerd _tuskit_go_binary _tuskit_image _tuskit_prepare_backends
unset _TUSKIT_CI_DIR

if [ "$_tuskit_status" -ne 0 ]; then
  printf '[prepare-backends] FAILED: the real-backend tests cannot run\n' >&2
fi
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # Sourced: hand the status to the caller without touching its shell options.
  return "$_tuskit_status"
fi

# Executed rather than sourced: the exports died with this process.
if [ "$_tuskit_status" -eq 0 ]; then
  printf 'Backends are ready; source this file to get the environment:\n  source %s\n' "$0" >&2
fi
exit "$_tuskit_status"
