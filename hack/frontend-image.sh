#!/usr/bin/env bash
# Builds the frontend image from ./Dockerfile, exactly as a user would, and
# pushes it to the local registry as docker.io/stagefile/stagefile:1 (served
# through the mirror), so "# syntax=docker.io/stagefile/stagefile:1" works.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
log "building the frontend image $FRONTEND_IMAGE"
buildctl --addr "$BUILDKIT_ADDR" build --progress=plain \
  --frontend dockerfile.v0 --local context="$ROOT" --local dockerfile="$ROOT" \
  --opt build-arg:VERSION="$(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo dev)" \
  --output "type=image,name=$REGISTRY_ADDR/$FRONTEND_REPO:$FRONTEND_TAG,push=true,registry.insecure=true" \
  >"$LOGS/frontend-image.log" 2>&1 || { tail -40 "$LOGS/frontend-image.log"; die "building the frontend image failed"; }
