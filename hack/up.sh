#!/usr/bin/env bash
# Starts everything the examples and tests build against, on this machine
# alone: the local registry (serving as the docker.io mirror), buildkitd,
# optionally a Docker engine (--docker), the base images the examples name,
# and the Stagefile frontend image built from ./Dockerfile. Idempotent: what
# already runs or exists is reused. Writes .cache/run/env for other tools.
#
# --demo: only what make demo needs: no docker-buildx, of the base images
# node:20-bookworm-slim alone, and the frontend image with the Dockerfile's
# build stage replaced by a binary built on the host (hack/frontend-image.sh
# --host-binary). Without it (make test, make up) everything is made, and
# the frontend image is built by the whole Dockerfile.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

with_docker=false
demo=false
for a in "$@"; do
  case $a in
    --docker) with_docker=true ;;
    --demo) demo=true ;;
    *) die "unknown flag $a" ;;
  esac
done

[ "$(id -u)" = 0 ] || die "BuildKit's OCI worker needs root here; run as root"
if $demo; then "$ROOT/hack/tools.sh" --no-buildx; else "$ROOT/hack/tools.sh"; fi
# test-only: linux/arm64 under QEMU, for the multi-platform Node.js images
"$ROOT/hack/binfmt.sh"

running() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }
start() {
  local name=$1; shift
  running "$name" && return 0
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

# --- registry -------------------------------------------------------------
mkdir -p "$CACHE/registry"
cat >"$RUN/registry.yml" <<YML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $CACHE/registry}
  delete: {enabled: true}
http: {addr: $REGISTRY_ADDR}
YML
start registry registry serve "$RUN/registry.yml"
wait_for curl -sf "http://$REGISTRY_ADDR/v2/" || { cat "$LOGS/registry.log"; die "registry did not start"; }

# --- buildkitd ------------------------------------------------------------
# The config is read at start only: it is written next to the one the
# running daemon uses and replaces it when buildkitd (re)starts.
cat >"$RUN/buildkitd.toml.next" <<TOML
root = "$CACHE/buildkit"
[grpc]
  address = ["$BUILDKIT_ADDR"]
[worker.oci]
  enabled = true
  snapshotter = "overlayfs"
  gc = true
  reservedSpace = "1GB"
  maxUsedSpace = "40GB"
[worker.containerd]
  enabled = false
[registry."$REGISTRY_ADDR"]
  http = true
  insecure = true
[registry."localhost:${REGISTRY_ADDR##*:}"]
  http = true
  insecure = true
# Nothing is pulled from Docker Hub or gcr.io here: the local registry
# serves the docker.io names (node:20-bookworm-slim, stagefile/stagefile:1)
# and the gcr.io ones (distroless/nodejs20-debian12:nonroot).
[registry."docker.io"]
  mirrors = ["$REGISTRY_ADDR"]
[registry."gcr.io"]
  mirrors = ["$REGISTRY_ADDR"]
TOML
if ! running buildkitd; then
  mv "$RUN/buildkitd.toml.next" "$RUN/buildkitd.toml"
elif cmp -s "$RUN/buildkitd.toml.next" "$RUN/buildkitd.toml"; then
  rm "$RUN/buildkitd.toml.next"
else
  # restarting it here would break builds others are running on it
  log "warning: buildkitd runs with an older config (diff $RUN/buildkitd.toml{,.next});" \
    "restart it for the change to apply: hack/down.sh && hack/up.sh"
fi
start buildkitd buildkitd --config "$RUN/buildkitd.toml" --oci-worker=true --containerd-worker=false
wait_for buildctl --addr "$BUILDKIT_ADDR" debug workers || { tail -30 "$LOGS/buildkitd.log"; die "buildkitd did not start"; }

# --- docker engine (for `docker build` and `docker run` tests) -------------
if $with_docker; then
  mkdir -p "$CACHE/docker" "$RUN/docker-exec"
  start dockerd dockerd --data-root "$CACHE/docker" --exec-root "$RUN/docker-exec" \
    --pidfile "$RUN/dockerd.self.pid" -H "$DOCKER_ADDR" \
    --iptables=false --ip6tables=false --bridge=none \
    --insecure-registry "$REGISTRY_ADDR" --registry-mirror "http://$REGISTRY_ADDR"
  wait_for docker -H "$DOCKER_ADDR" version || { tail -30 "$LOGS/dockerd.log"; die "dockerd did not start"; }
fi

cat >"$RUN/env" <<ENV
export BUILDKIT_HOST=$BUILDKIT_ADDR
export STAGEFILE_REGISTRY=$REGISTRY_ADDR
export STAGEFILE_FRONTEND_IMAGE=$FRONTEND_IMAGE
export STAGEFILE_DOCKER_HOST=$(running dockerd && echo "$DOCKER_ADDR")
export DOCKER_CONFIG=$CACHE/docker-config
export STAGEFILE_CACHE=$CACHE
export PATH=$BIN:\$PATH
ENV

if $demo; then
  "$ROOT/hack/images.sh" node:20-bookworm-slim
  "$ROOT/hack/frontend-image.sh" --host-binary
else
  "$ROOT/hack/images.sh"
  "$ROOT/hack/frontend-image.sh"
fi
log "ready: BUILDKIT_HOST=$BUILDKIT_ADDR registry=$REGISTRY_ADDR$(running dockerd && echo " docker=$DOCKER_ADDR")"
