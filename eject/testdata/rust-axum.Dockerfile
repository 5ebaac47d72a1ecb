# syntax=docker/dockerfile:1
#
# Ejected from examples/rust-axum/Stagefile by `stagefile eject` (stagefile test) for linux/amd64.
# The stock Dockerfile frontend builds it into the Stagefile's targets, with the same names: docker
# build --target T . (T: dependencies, development, test, test-reports, build, release; release is
# the default). It needs Dockerfile syntax 1.20 or later (COPY --parents; COPY --exclude is 1.19),
# which the syntax line above pulls.
# Every value comes from the resolved plan, preset rust applied, as `stagefile plan` prints it, each
# with where it came from. The images were not inspected: what the preset would read from them at
# build time (the release's user, an image's PATH) is as `stagefile plan` shows it.
# Lines that start with "eject:" say where this file does not do exactly what the Stagefile did.

# dependencies: build image + manifests + production dependencies
FROM rust:1.95-slim-bookworm AS dependencies
# eject: the Stagefile's dependencies target requires the tests; a stage cannot require one that
# comes after it, and this one is what the tests run on: --target dependencies here does not run
# them
# env.CARGO_TARGET_DIR (preset rust: the compiled dependencies, in the dependency layer for the
# tests and the build)
ENV CARGO_TARGET_DIR=/app/target
# Every step runs as root, in workdir, as in the Stagefile, whatever the image's user.
USER 0:0
WORKDIR /app

# dependencies.tools (preset rust: the helpers the dependency step and the build run:
# stagefile-rust-skeleton, stagefile-rust-forget, stagefile-rust-copy; for a static binary, the musl
# target of the image's Rust, cargo's default target for every step): in a step of its own before
# the manifests are copied, so a lockfile change does not run it again.
RUN --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "sh -c 'for a do n=/usr/local/bin/${a%%=*}; printf \"%s\\n\" \"#!/bin/sh\" \"${a#*=}\" > \"$n\" && chmod 755 \"$n\" || exit; done' install-helpers 'stagefile-rust-copy=mkdir -p bin && for f in \"$1\"/*/release/\"$2\" \"$1/release/$2\"; do if [ -f \"$f\" ]; then exec cp \"$f\" bin/; fi; done; echo \"cargo build wrote no binary $2 under $1\" >&2; exit 1' 'stagefile-rust-forget=h=[0-9a-f]; h=$h$h$h$h; h=$h$h$h$h; for n do for d in \"$CARGO_TARGET_DIR\"/*/ \"$CARGO_TARGET_DIR\"/*/*/; do rm -rf \"$d.fingerprint/$n-\"$h \"${d}build/$n-\"$h \"${d}deps/$n-\"$h* \"${d}deps/lib$n-\"$h*; done; done' 'stagefile-rust-skeleton=for a do f=${a#*:}; [ -e \"$f\" ] && continue; mkdir -p \"$(dirname -- \"$f\")\" || exit; case $a in lib:*) : > \"$f\" ;; *) echo \"fn main() {}\" > \"$f\" ;; esac || exit; done' && sh -c 't=$(rustc -vV | sed -n \"s/^host: //p\" | sed \"s/-gnu/-musl/\") && rustup target add \"$t\" && { echo \"[build]\"; echo \"target = \\\"$t\\\"\"; } >> \"${CARGO_HOME:-$HOME/.cargo}/config.toml\"' musl-target"]

# dependencies.manifests: only these are copied before the installs, so a source edit keeps them
# cached.
# Cargo.toml (preset rust: the project's manifest)
# Cargo.lock (preset rust: the lockfile)
COPY --parents ["Cargo.toml", "Cargo.lock", "/app/"]

# dependencies.production (preset rust: Cargo.lock → every dependency compiled for the release
# profile, from the manifests and a skeleton of the sources): what the release needs at run time;
# workdir as it leaves it is the release's dependency layer.
RUN --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "stagefile-rust-skeleton lib:src/lib.rs main:src/main.rs && cargo build --release --locked && stagefile-rust-forget rust-axum rust_axum"]

# development: production + development dependencies + source: what test and build run on
FROM dependencies AS development
# eject: the Stagefile's development target requires the tests; a stage cannot require one that
# comes after it, and this one is what the tests run on: --target development here does not run them
# dependencies.development (preset rust: Cargo.lock → the dev-dependencies and the tests' build of
# the rest, from the manifests and a skeleton): adds what test and build need, on top of the
# production install.
RUN --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "stagefile-rust-skeleton lib:src/lib.rs main:src/main.rs && cargo test --release --locked --no-run && stagefile-rust-forget rust-axum rust_axum"]
# The source: the build context without source.exclude (target **/Stagefile
# **/Stagefile.dockerignore **/.git), on top of .dockerignore; and without this file (saved under
# another name, write that name here): editing it reruns neither test nor build.
COPY --exclude=target --exclude=**/Stagefile --exclude=**/Stagefile.dockerignore --exclude=**/.git --exclude=**/Dockerfile --exclude=**/Dockerfile.dockerignore [".", "/app/"]

# test: the tree after the tests ran, or only test.reports when declared
FROM development AS test
# test.run (preset rust: the tests, in the release profile the dependency step compiled, offline): a
# failing test fails this stage, and every target that requires it.
RUN --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "cargo test --release --locked --offline"]

# The Stagefile refuses --target test-reports without test.reports; here it is the test target.
FROM test AS test-reports

# build: the tree after the build ran
FROM development AS build
# build.run (preset rust: src/main.rs of rust-axum: the package's one binary): in parallel with the
# tests.
RUN --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "cargo build --release --locked --offline && stagefile-rust-copy /app/target rust-axum"]
# eject: the Stagefile's graph makes each target require the tests without touching it (a
# passthrough op); here a COPY from the test stage of /.stagefile-tests-passed-*, which no file
# matches, adds nothing but cannot run before the tests passed
# This target requires the tests: the copy adds nothing (no file matches), and waits for the test
# stage.
COPY --from=test ["/.stagefile-tests-passed-*", "/"]

# release: runtime image + production dependencies + build outputs
FROM gcr.io/distroless/static-debian12:nonroot AS release
# eject: with --sbom=true the Stagefile attaches its own SBOM: the 53 production packages the
# lockfile pins (preset rust: Cargo.lock, the app's dependencies (not its dev-dependencies), every
# platform's); the Dockerfile frontend runs a scanner image (docker/buildkit-syft-scanner) instead,
# which it must be able to pull
# eject: the Stagefile assembles the release with one merge of independent layers (MergeOp); COPY
# --link makes each copy a layer of its own, merged on top, which keeps what matters: a source edit
# does not copy the dependencies again
# output bin/rust-axum (preset rust: the binary cargo build writes, copied out of the target folder)
# build.outputs, from the build, at the same paths (a pattern's matches keep their names:
# --parents).
COPY --link --parents --from=build ["/app/./bin/rust-axum", "/app/"]
# This target requires the tests: the copy adds nothing (no file matches), and waits for the test
# stage.
COPY --link --from=test ["/.stagefile-tests-passed-*", "/"]
# eject: release.user: preset rust may pick an unprivileged user from the runtime image at build
# time, which eject cannot read (no daemon): here the release runs as the runtime image's own user,
# root unless it sets one. Write release.user in the Stagefile and eject again, or a USER line here
WORKDIR /app
EXPOSE 8080
# eject: before exporting, the Stagefile checks that the release has the program and the script its
# command names; a Dockerfile does not: docker run finds out
# release.entrypoint (preset rust: the binary as PID 1)
ENTRYPOINT ["/app/bin/rust-axum"]
