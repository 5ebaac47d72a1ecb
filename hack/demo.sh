#!/usr/bin/env bash
# The main job, end to end on this machine: start BuildKit, the registry and
# a Docker engine; build the frontend image; build examples/node-yarn from
# its Stagefile through "# syntax=" (tests run inside the build); push the
# tested release image; print its reference and size; run it and call it.
# Makes only what this needs (hack/up.sh --demo: no buildx, one base image,
# the frontend binary built on the host); make test makes the rest.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/hack/up.sh" --docker --demo
source "$RUN/env"

app=${1:-node-yarn}
ref=$REGISTRY_ADDR/examples/$app:latest
log "building examples/$app from its Stagefile (first line: $(head -1 "$ROOT/examples/$app/Stagefile"))"
buildctl --addr "$BUILDKIT_ADDR" build --progress=plain \
  --frontend dockerfile.v0 \
  --local context="$ROOT/examples/$app" --local dockerfile="$ROOT/examples/$app" --opt filename=Stagefile \
  --output "type=image,name=$ref,push=true,registry.insecure=true"

log "tested release image"
(cd "$ROOT" && go run ./hack/imageinfo "$ref" "$REGISTRY_ADDR/library/node:20-bookworm-slim")

log "running it: docker run $ref"
docker -H "$DOCKER_ADDR" pull -q "$ref" >/dev/null
name=stagefile-demo-$$
docker -H "$DOCKER_ADDR" run -d --rm --name "$name" --network host -e PORT=18080 "$ref" >/dev/null
trap 'docker -H "$DOCKER_ADDR" rm -f "$name" >/dev/null 2>&1 || true' EXIT
wait_for curl -sf http://127.0.0.1:18080/health || { docker -H "$DOCKER_ADDR" logs "$name"; die "the app did not answer"; }
echo "GET /health → $(curl -s http://127.0.0.1:18080/health)"
echo "GET /greet?name=demo → $(curl -s 'http://127.0.0.1:18080/greet?name=demo')"
log "done in $((SECONDS / 60))m$((SECONDS % 60))s: $ref (BuildKit keeps running; hack/down.sh stops it)"
