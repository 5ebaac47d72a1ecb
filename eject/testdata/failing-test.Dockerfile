# syntax=docker/dockerfile:1
#
# Ejected from examples/failing-test/Stagefile by `stagefile eject` (stagefile test) for
# linux/amd64.
# The stock Dockerfile frontend builds it into the Stagefile's targets, with the same names: docker
# build --target T . (T: dependencies, development, test, test-reports, build, release; release is
# the default). It needs Dockerfile syntax 1.20 or later (COPY --parents; COPY --exclude is 1.19),
# which the syntax line above pulls.
# Every value comes from the resolved plan, as `stagefile plan` prints it, each with where it came
# from.
# Lines that start with "eject:" say where this file does not do exactly what the Stagefile did.

# dependencies: build image + manifests + production dependencies
FROM node:20-bookworm-slim AS dependencies
# eject: the Stagefile's dependencies target requires the tests; a stage cannot require one that
# comes after it, and this one is what the tests run on: --target dependencies here does not run
# them
# Every step runs as root, in workdir, as in the Stagefile, whatever the image's user.
USER 0:0
WORKDIR /app

# dependencies.manifests: only these are copied before the installs, so a source edit keeps them
# cached.
# package.json (Stagefile line 7:15)
COPY --parents ["package.json", "/app/"]

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
# test.run (Stagefile line 10:8): a failing test fails this stage, and every target that requires
# it.
RUN --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "npm test"]

# The Stagefile refuses --target test-reports without test.reports; here it is the test target.
FROM test AS test-reports

# build: the tree after the build ran
FROM development AS build
# build.run (Stagefile line 13:8): in parallel with the tests.
RUN --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "npm run build"]
# eject: the Stagefile's graph makes each target require the tests without touching it (a
# passthrough op); here a COPY from the test stage of /.stagefile-tests-passed-*, which no file
# matches, adds nothing but cannot run before the tests passed
# This target requires the tests: the copy adds nothing (no file matches), and waits for the test
# stage.
COPY --from=test ["/.stagefile-tests-passed-*", "/"]

# release: runtime image + production dependencies + build outputs
FROM node:20-bookworm-slim AS release
# eject: the Stagefile assembles the release with one merge of independent layers (MergeOp); COPY
# --link makes each copy a layer of its own, merged on top, which keeps what matters: a source edit
# does not copy the dependencies again
# The production dependencies: workdir as the production install left it, without what the app does
# not read (dependencies.unshipped).
COPY --link --from=dependencies ["/app", "/app"]
# output dist (Stagefile line 14:13)
# build.outputs, from the build, at the same paths (a pattern's matches keep their names:
# --parents).
COPY --link --parents --from=build ["/app/./dist", "/app/"]
# This target requires the tests: the copy adds nothing (no file matches), and waits for the test
# stage.
COPY --link --from=test ["/.stagefile-tests-passed-*", "/"]
# release.user (Stagefile line 17:9)
USER node
WORKDIR /app
# eject: before exporting, the Stagefile checks that the release has the program and the script its
# command names; a Dockerfile does not: docker run finds out
# release.cmd (Stagefile line 18:8)
CMD ["node", "dist/index.js"]
