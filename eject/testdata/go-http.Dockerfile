# syntax=docker/dockerfile:1
#
# Ejected from examples/go-http/Stagefile by `stagefile eject` (stagefile test) for linux/amd64.
# The stock Dockerfile frontend builds it into the Stagefile's targets, with the same names: docker
# build --target T . (T: dependencies, development, test, test-reports, build, release; release is
# the default). It needs Dockerfile syntax 1.20 or later (COPY --parents; COPY --exclude is 1.19),
# which the syntax line above pulls.
# Every value comes from the resolved plan, preset go applied, as `stagefile plan` prints it, each
# with where it came from. The images were not inspected: what the preset would read from them at
# build time (the release's user, an image's PATH) is as `stagefile plan` shows it.
# Lines that start with "eject:" say where this file does not do exactly what the Stagefile did.

# dependencies: build image + manifests + production dependencies
FROM golang:1.26-bookworm AS dependencies
# eject: the Stagefile's dependencies target requires the tests; a stage cannot require one that
# comes after it, and this one is what the tests run on: --target dependencies here does not run
# them
# env.CGO_ENABLED (preset go: a static binary, which runs on distroless static or scratch; the tests
# build the same way)
ENV CGO_ENABLED=0
# env.GOCACHE (preset go: the build cache, a cache mount)
ENV GOCACHE=/root/.cache/go-build
# env.GOMODCACHE (preset go: the module cache, a cache mount)
ENV GOMODCACHE=/go/pkg/mod
# Every step runs as root, in workdir, as in the Stagefile, whatever the image's user.
USER 0:0
WORKDIR /app

# dependencies.manifests: only these are copied before the installs, so a source edit keeps them
# cached.
# go.mod (preset go: the module)
# go.sum (preset go: the module's checksums)
COPY --parents ["go.mod", "go.sum", "/app/"]

# eject: the ids are the Stagefile's, but the Dockerfile frontend prefixes each with
# BUILDKIT_CACHE_MOUNT_NS and "/": these are other caches than the Stagefile build's, empty at the
# first build
# dependencies.production (preset go: go.mod → go mod download): what the release needs at run
# time; workdir as it leaves it is the release's dependency layer.
RUN --mount=type=cache,id=/go/pkg/mod,target=/go/pkg/mod,sharing=shared \
    --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "go mod download"]

# development: production + development dependencies + source: what test and build run on
FROM dependencies AS development
# eject: the Stagefile's development target requires the tests; a stage cannot require one that
# comes after it, and this one is what the tests run on: --target development here does not run them
# The source: the build context without source.exclude (**/Stagefile **/Stagefile.dockerignore
# **/.git), on top of .dockerignore; and without this file (saved under another name, write that
# name here): editing it reruns neither test nor build.
COPY --exclude=**/Stagefile --exclude=**/Stagefile.dockerignore --exclude=**/.git --exclude=**/Dockerfile --exclude=**/Dockerfile.dockerignore [".", "/app/"]

# test: the tree after the tests ran, or only test.reports when declared
FROM development AS test
# test.run (preset go: go vet, then the tests of every package): a failing test fails this stage,
# and every target that requires it.
RUN --mount=type=cache,id=/go/pkg/mod,target=/go/pkg/mod,sharing=shared \
    --mount=type=cache,id=/root/.cache/go-build,target=/root/.cache/go-build,sharing=shared \
    --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "go vet ./... && go test ./..."]

# The Stagefile refuses --target test-reports without test.reports; here it is the test target.
FROM test AS test-reports

# build: the tree after the build ran
FROM development AS build
# build.run (preset go: cmd/server is the module's one main package): in parallel with the tests.
RUN --mount=type=cache,id=/go/pkg/mod,target=/go/pkg/mod,sharing=shared \
    --mount=type=cache,id=/root/.cache/go-build,target=/root/.cache/go-build,sharing=shared \
    --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "go build -trimpath '-ldflags=-s -w' -o bin/server ./cmd/server"]
# eject: the Stagefile's graph makes each target require the tests without touching it (a
# passthrough op); here a COPY from the test stage of /.stagefile-tests-passed-*, which no file
# matches, adds nothing but cannot run before the tests passed
# This target requires the tests: the copy adds nothing (no file matches), and waits for the test
# stage.
COPY --from=test ["/.stagefile-tests-passed-*", "/"]

# release: runtime image + production dependencies + build outputs
FROM gcr.io/distroless/static-debian12:nonroot AS release
# eject: the Stagefile assembles the release with one merge of independent layers (MergeOp); COPY
# --link makes each copy a layer of its own, merged on top, which keeps what matters: a source edit
# does not copy the dependencies again
# output bin/server (preset go: the binary go build writes)
# build.outputs, from the build, at the same paths (a pattern's matches keep their names:
# --parents).
COPY --link --parents --from=build ["/app/./bin/server", "/app/"]
# This target requires the tests: the copy adds nothing (no file matches), and waits for the test
# stage.
COPY --link --from=test ["/.stagefile-tests-passed-*", "/"]
# eject: release.user: preset go may pick an unprivileged user from the runtime image at build time,
# which eject cannot read (no daemon): here the release runs as the runtime image's own user, root
# unless it sets one. Write release.user in the Stagefile and eject again, or a USER line here
WORKDIR /app
EXPOSE 8080
# eject: before exporting, the Stagefile checks that the release has the program and the script its
# command names; a Dockerfile does not: docker run finds out
# release.entrypoint (preset go: the binary as PID 1)
ENTRYPOINT ["/app/bin/server"]
