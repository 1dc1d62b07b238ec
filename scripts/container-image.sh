#!/usr/bin/env bash
# Builds the simulator's image for the container tests (test/container.test.ts and
# testcontainers/): the Dockerfile on a base made from this machine's Node (scripts/base-image.sh),
# since no registry is reachable here. Build the package first (npm run build); .ci/run does both.
#
#   scripts/container-image.sh [TAG]     # default digitalpost-simulator:test; prints the tag
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-digitalpost-simulator:test}
if [ ! -f dist/cli.js ]; then
  echo "container-image: dist/ is not built; run npm run build first" >&2
  exit 1
fi
base=$(scripts/base-image.sh)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! docker build --build-arg BASE_IMAGE="$base" -t "$tag" . >"$log" 2>&1; then
  cat "$log" >&2
  echo "container-image: docker build failed" >&2
  exit 1
fi
echo "$tag"
