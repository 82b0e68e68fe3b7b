#!/usr/bin/env bash
# Builds the tusd binary the benchmark's optional tusd row runs, once, into the
# same cache as .ci/prepare-backends.sh (outside the repository):
#
#   bash bench/prepare-tusd.sh   # then: pnpm bench
#
# Needs Go and the Go module proxy. The benchmark skips the tusd row, with a
# note in RESULTS.md, when the binary is missing. TUSKIT_TUSD_BIN overrides
# where the benchmark looks.
set -euo pipefail

version="v2.9.1" # keep in step with TUSD_VERSION in bench/src/targets.ts
bin_dir="${TUSKIT_CACHE_DIR:-/var/cache/tuskit}/bin"
target="$bin_dir/tusd-$version"

if [ -x "$target" ]; then
  echo "tusd $version is ready: $target"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "go is required to build tusd" >&2; exit 1; }
mkdir -p "$bin_dir"
gobin="$(mktemp -d "$bin_dir/.build-tusd.XXXXXX")"
trap 'rm -rf "$gobin"' EXIT
echo "building tusd $version (a minute or two)" >&2
# Outside any module, so that the repository cannot influence the build.
(cd "$gobin" && CGO_ENABLED=0 GOBIN="$gobin" go install "github.com/tus/tusd/v2/cmd/tusd@$version")
mv -f "$gobin/tusd" "$target"
echo "tusd $version is ready: $target"
