#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs and starts what it needs
# (hack/up.sh --docker), checks formatting and vet, runs the unit tests and
# the integration tests against the real buildkitd, the real registry and
# the real frontend image, then stops the daemons (STAGEFILE_KEEP=1 keeps
# them). Fails loudly when anything is missing; nothing is skipped.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

log "go vet and gofmt"
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*'))
[ -z "$unformatted" ] || die "gofmt would change: $unformatted"

log "unit tests"
go test ./spec/... ./plan/... ./preset/... ./llb/... ./eject/... ./frontend/... ./cmd/... ./internal/...
# hostile input: each fuzz target briefly (make fuzz runs them longer)
FUZZTIME=40000x "$ROOT/hack/fuzz.sh"

"$ROOT/hack/up.sh" --docker
[ "${STAGEFILE_KEEP:-}" = 1 ] || trap '"$ROOT/hack/down.sh"' EXIT
source "$RUN/env"

log "integration tests (real buildkitd, registry, frontend image, docker engine)"
go test -count=1 -timeout 30m -v ./integration/... 2>&1 | tee "$LOGS/integration.log" ||
  die "integration tests failed (full log: $LOGS/integration.log)"

# The benchmark is measured with `make bench`; here it only has to run, on
# its shortest setting (it prunes the build cache, so it goes last): the
# fresh-daemon and two-platform scenarios have their integration tests.
log "benchmark, short setting (1 run, node-yarn, one daemon, one platform)"
"$ROOT/hack/bench.sh" -runs 1 -apps node-yarn -ci=false -two-platforms=false
log "all tests passed"
