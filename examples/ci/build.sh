#!/usr/bin/env bash
# CI for a Stagefile app with plain buildctl, as an ephemeral runner runs
# it: a fresh BuildKit every job, the build cache in a registry.
#
#   BUILDKIT_HOST=... IMAGE=registry.example.com/team/app:sha CACHE=registry.example.com/team/app:buildcache \
#     examples/ci/build.sh path/to/app
#
# 1. The test reports, even when tests fail (target test-reports: the
#    reports plus the tests' exit-code), for the CI to publish.
# 2. The release, gated on the same tests (a cache hit: they do not run
#    twice), reproducible (SOURCE_DATE_EPOCH from the last commit and
#    rewrite-timestamp), with the frontend's SBOM and provenance.
# The job fails when the tests fail, after the reports are saved.
set -euo pipefail
app=${1:-.}
reports=${REPORTS:-$app/test-reports}
: "${IMAGE:?set IMAGE to the name of the release}" "${CACHE:?set CACHE to a registry ref for the build cache}"
insecure=${REGISTRY_INSECURE:+,registry.insecure=true}
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$app" log -1 --format=%ct 2>/dev/null || echo 0)}

build() {
  buildctl build --frontend dockerfile.v0 \
    --local context="$app" --local dockerfile="$app" --opt filename="${STAGEFILE:-Stagefile}" \
    --import-cache "type=registry,ref=$CACHE$insecure" \
    --export-cache "type=registry,ref=$CACHE,mode=max$insecure" \
    "$@"
}

rm -rf "$reports"
build --opt target=test-reports --output "type=local,dest=$reports"
echo "test reports in $reports (the tests exited $(cat "$reports/exit-code"))"

build --opt build-arg:SOURCE_DATE_EPOCH="$epoch" \
  --opt attest:sbom= --opt attest:provenance=mode=max \
  --output "type=image,name=$IMAGE,push=true,rewrite-timestamp=true$insecure"
echo "released $IMAGE"
