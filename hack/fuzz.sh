#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each (default 2m; make test runs them
# for 10s). A target fails on a panic, an unpositioned error, or an input
# that takes over a second or allocates over 256 MB (internal/bounded).
# New failing inputs land in the package's testdata/fuzz and become tests.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
time=${FUZZTIME:-2m}
for target in ./spec:FuzzParse ./preset/node:FuzzPreset ./preset/python:FuzzPreset ./preset/golang:FuzzPreset ./llb:FuzzConvert; do
  log "fuzz ${target#*:} in ${target%%:*} for $time"
  out=$(mktemp)
  if ! go test -run '^$' -fuzz "^${target#*:}\$" -fuzztime "$time" "${target%%:*}" >"$out" 2>&1; then
    cat "$out"
    die "fuzz ${target#*:} failed (a failing input, when there is one, is in ${target%%:*}/testdata/fuzz)"
  fi
  tail -3 "$out"
  rm -f "$out"
done
