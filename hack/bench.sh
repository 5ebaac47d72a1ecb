#!/usr/bin/env bash
# Benchmarks Stagefile against the hand-written multi-stage Dockerfile on
# one local BuildKit (see docs/benchmarks.md). Starts what it needs like the
# other hack/ scripts. Flags go to bench/: e.g. hack/bench.sh -runs 1 -apps node-yarn
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
"$ROOT/hack/up.sh"
source "$RUN/env"

log "spec → LLB (Go benchmark, target ≤ 1 ms per build)"
go test -run '^$' -bench BenchmarkSpecToLLB -benchtime 200x ./llb | grep -E '^Benchmark|^ok'

log "builds: Stagefile vs reference Dockerfile (alternating, on one daemon)"
go run ./bench -out "$LOGS/bench.md" "$@"
log "table written to $LOGS/bench.md"
