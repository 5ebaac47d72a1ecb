# Shared settings for the hack/ scripts. Sourced, not run.
# Everything the harness makes lives under .cache/ (git-ignored) so a clean
# checkout starts from nothing and a second run reuses what the first built.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${STAGEFILE_CACHE:-$ROOT/.cache}
BIN=$CACHE/bin
RUN=$CACHE/run
LOGS=$CACHE/logs
mkdir -p "$BIN" "$RUN" "$LOGS"

REGISTRY_ADDR=${STAGEFILE_REGISTRY:-127.0.0.1:5000}
BUILDKIT_SOCK=$RUN/buildkitd.sock
BUILDKIT_ADDR=unix://$BUILDKIT_SOCK
DOCKER_SOCK=$RUN/docker.sock
DOCKER_ADDR=unix://$DOCKER_SOCK
# The frontend image the examples' "# syntax=" lines resolve to. Examples name
# docker.io/stagefile/stagefile:1; the docker.io mirror serves our local build
# under that name, so the examples read exactly as a user's Stagefile would.
FRONTEND_REPO=stagefile/stagefile
FRONTEND_TAG=1
FRONTEND_IMAGE=docker.io/$FRONTEND_REPO:$FRONTEND_TAG

export PATH=$BIN:$PATH
export GOFLAGS=${GOFLAGS:--buildvcs=false}

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Version of a module as pinned in go.mod, so the daemon we test against is
# the BuildKit our frontend is compiled with.
modversion() { (cd "$ROOT" && go list -m -f '{{.Version}}' "$1"); }

# wait_for CMD...: retry CMD for up to 60 s.
wait_for() {
  local i
  for i in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  return 1
}
