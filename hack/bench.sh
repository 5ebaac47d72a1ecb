#!/usr/bin/env bash
# Benchmarks Stagefile against the 2018 multi-stage Dockerfile and the one an
# expert writes today, on one local BuildKit, on fresh daemons with a
# registry cache (CI) and for two platforms (see docs/benchmarks.md). Starts
# what it needs like the other hack/ scripts. Flags go to bench/: e.g.
#   hack/bench.sh -runs 1 -apps node-yarn -ci=false -two-platforms=false
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
"$ROOT/hack/up.sh"
source "$RUN/env"

log "spec → LLB (Go benchmark, target ≤ 1 ms per build)"
go test -run '^$' -bench BenchmarkSpecToLLB -benchtime 200x ./llb | grep -E '^Benchmark|^ok'
log "the node preset on pnpm workspaces of 500 to 10,000 locked dependencies (target: 2,000 under 200 ms)"
go test -run '^$' -bench BenchmarkPnpmWorkspace -benchtime 20x ./preset/node | grep -E '^Benchmark|^ok'

log "builds: Stagefile vs the 2018 and the expert Dockerfile (alternating, same daemon and runs)"
go run ./bench -out "$LOGS/bench.md" "$@"
log "table written to $LOGS/bench.md"
