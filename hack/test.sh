#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs and starts what it needs
# (hack/up.sh --docker), checks formatting and vet, runs the unit tests and
# the integration tests against the real buildkitd, the real registry and
# the real frontend image, then stops the daemons (STAGEFILE_KEEP=1 keeps
# them). Fails loudly when anything is missing; nothing is skipped. Prints
# how long each phase took, and the total, at the end (also when it fails).
#
# INTEGRATION_PARALLEL (default 4) is how many integration tests run at
# once; the ones that need the daemons to themselves don't call t.Parallel
# and run first, alone (see integration/harness_test.go).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

t0=$SECONDS
phases=()
current=
# phase NAME CMD...: run CMD as one timed phase of the suite
phase() {
  local name=$1 start=$SECONDS; shift
  current=$name
  log "$name"
  "$@"
  phases+=("$(printf '  %-46s %4d s' "$name" $((SECONDS - start)))")
  current=
}
summary() {
  local rc=$? total=$((SECONDS - t0))
  [ ${#phases[@]} -eq 0 ] || printf '%s\n' "${phases[@]}" >&2
  [ -z "$current" ] || printf '  %-46s failed\n' "$current" >&2
  log "$([ $rc = 0 ] && echo "all tests passed" || echo "FAILED") in $((total / 60))m$((total % 60))s"
  [ -z "$harness" ] || [ "${STAGEFILE_KEEP:-}" = 1 ] || "$ROOT/hack/down.sh"
}
harness=
trap summary EXIT

vet() {
  go vet ./...
  local unformatted
  unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*'))
  [ -z "$unformatted" ] || die "gofmt would change: $unformatted"
}

# The unit tests run every fuzz target's seed corpus as tests. The Go
# benchmarks run once each, so that they keep compiling and working; the
# bench program (make bench) is compiled by go vet above, and measured,
# with its build-cache prune, only by make bench.
unit() {
  go test ./spec/... ./plan/... ./preset/... ./llb/... ./eject/... ./frontend/... ./cmd/... ./internal/... ./sbom/...
  go test -run '^$' -bench . -benchtime 1x ./llb ./preset/node | grep -E '^(Benchmark|ok|FAIL)'
}

integration() {
  local rc
  # the verdicts as they come: the full log (every command and its output,
  # parallel tests interleaved) goes to a file
  set +e
  go test -count=1 -timeout 30m -v -parallel "${INTEGRATION_PARALLEL:-4}" ./integration/... 2>&1 |
    tee "$LOGS/integration.log" | grep --line-buffered -E '^\s*--- (PASS|FAIL)|^(ok|FAIL|PASS)\b|^panic'
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" != 0 ]; then
    grep -E -B2 -A30 '^\s*--- FAIL' "$LOGS/integration.log" | tail -200
    die "integration tests failed (full log: $LOGS/integration.log)"
  fi
  log "slowest integration tests (full log: $LOGS/integration.log)"
  grep -E '^--- PASS' "$LOGS/integration.log" | sed -E 's/^--- PASS: ([^ ]+) \(([0-9.]+)s\)/\2 \1/' | sort -rn | head -8 |
    awk '{printf "  %6.1f s  %s\n", $1, $2}'
}

phase "go vet and gofmt" vet
phase "unit tests (+ fuzz seeds, Go benchmarks once)" unit
# hostile input: each fuzz target briefly, 10000 new inputs (make fuzz runs
# them 2 minutes each). Their seed corpora ran above, as unit tests.
phase "fuzz, ${FUZZTIME:=10000x} per target" env FUZZTIME="$FUZZTIME" "$ROOT/hack/fuzz.sh"
harness=1
phase "harness (hack/up.sh --docker)" "$ROOT/hack/up.sh" --docker
source "$RUN/env"
phase "integration tests (real daemons, in parallel)" integration
