# The two commands a newcomer needs (see README.md), and a few for work on
# the project. Everything runs as root on a Debian machine with Go.
.PHONY: demo test unit fuzz bench up down frontend-image clean

demo:            ## build examples/node-yarn into a tested release image on a local BuildKit
	hack/demo.sh

test:            ## all tests: starts BuildKit, registry and docker, runs unit + integration tests
	hack/test.sh

bench:           ## Stagefile vs the 2018 and the expert Dockerfile: 3 runs, 4 apps, CI and two-platform scenarios (docs/benchmarks.md)
	hack/bench.sh

unit:            ## unit tests only (no daemon)
	go test ./spec/... ./plan/... ./preset/... ./llb/... ./eject/... ./frontend/... ./cmd/... ./internal/... ./sbom/...

fuzz:            ## every fuzz target for FUZZTIME each (default 2m): parser, presets, converter
	hack/fuzz.sh

up:              ## start the local BuildKit, registry and docker engine; build the frontend image
	hack/up.sh --docker

down:            ## stop them
	hack/down.sh

frontend-image:  ## rebuild and push the frontend image after a code change
	hack/frontend-image.sh

clean: down      ## forget every built tool, image and cache
	rm -rf .cache
