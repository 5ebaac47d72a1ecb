#!/usr/bin/env bash
# Builds the frontend image from ./Dockerfile, exactly as a user would, and
# pushes it to the local registry as docker.io/stagefile/stagefile:1 (served
# through the mirror), so "# syntax=docker.io/stagefile/stagefile:1" works.
#
# --host-binary (make demo): the Dockerfile's build stage is replaced by
# the same binary built here with the host's Go, whose caches are usually
# warm, where the stage would need the golang image and, on a fresh
# machine, download every module and compile with empty cache mounts. The
# Dockerfile stays the one definition: buildctl's named context
# context:build=local:... stands in for `FROM ... AS build`, and the rest of
# the Dockerfile (the final stage, its labels and entrypoint) is used as it
# is. make test builds the whole Dockerfile and tests that image.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

host=false
for a in "$@"; do
  case $a in
    --host-binary) host=true ;;
    *) die "unknown flag $a" ;;
  esac
done

version=$(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo dev)
args=()
if $host; then
  log "building the frontend image $FRONTEND_IMAGE (Dockerfile, its build stage a binary built on this machine)"
  out=$CACHE/frontend-build
  rm -rf "$out" && mkdir -p "$out/out"
  # what the Dockerfile's build stage runs, for this machine's platform
  (cd "$ROOT" && CGO_ENABLED=0 GOOS=linux GOARCH=$(go env GOARCH) go build -trimpath \
    -ldflags "-s -w -X main.version=$version" -o "$out/out/stagefile" ./cmd/stagefile) ||
    die "go build ./cmd/stagefile failed"
  args=(--local frontend-build="$out" --opt context:build=local:frontend-build)
else
  log "building the frontend image $FRONTEND_IMAGE (Dockerfile)"
fi
buildctl --addr "$BUILDKIT_ADDR" build --progress=plain \
  --frontend dockerfile.v0 --local context="$ROOT" --local dockerfile="$ROOT" "${args[@]}" \
  --opt build-arg:VERSION="$version" \
  --output "type=image,name=$REGISTRY_ADDR/$FRONTEND_REPO:$FRONTEND_TAG,push=true,registry.insecure=true" \
  >"$LOGS/frontend-image.log" 2>&1 || { tail -40 "$LOGS/frontend-image.log"; die "building the frontend image failed"; }
