#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each (default 2m; make test runs
# 10000 inputs each: a count, not a duration, see below). A target fails on
# a panic, an unpositioned error, or an input that takes over a second or
# allocates over 256 MB (internal/bounded). New failing inputs land in the
# package's testdata/fuzz and become tests.
#
# Go before 1.27 can end a duration-bounded run with a bare "context
# deadline exceeded" and no failing input (golang/go#75804: a worker still
# busy when -fuzztime expires). Such a run is repeated once; a failure that
# writes an input, or the same failure twice, fails.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
time=${FUZZTIME:-2m}
inputs() { if [ -d "$1" ]; then ls "$1" | wc -l; else echo 0; fi; }
for target in ./spec:FuzzParse ./preset/node:FuzzPreset ./preset/python:FuzzPreset ./preset/golang:FuzzPreset ./preset/rust:FuzzPreset ./preset/java:FuzzPreset ./llb:FuzzConvert; do
  pkg=${target%%:*} name=${target#*:}
  corpus="$pkg/testdata/fuzz/$name"
  for attempt in 1 2; do
    log "fuzz $name in $pkg for $time"
    out=$(mktemp)
    before=$(inputs "$corpus")
    if go test -run '^$' -fuzz "^$name\$" -fuzztime "$time" "$pkg" >"$out" 2>&1; then
      tail -3 "$out"
      rm -f "$out"
      break
    fi
    after=$(inputs "$corpus")
    if [ "$attempt" = 1 ] && [ "$before" = "$after" ] &&
      grep -qx '    context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
      tail -4 "$out"
      log "no failing input: Go's fuzzing deadline race (golang/go#75804); running $name once more"
      rm -f "$out"
      continue
    fi
    cat "$out"
    die "fuzz $name failed (a failing input, when there is one, is in $corpus)"
  done
done
