# syntax=docker/dockerfile:1
#
# Ejected from examples/python-pip/Stagefile by `stagefile eject` (stagefile test) for linux/amd64.
# The stock Dockerfile frontend builds it into the Stagefile's targets, with the same names: docker
# build --target T . (T: dependencies, development, test, test-reports, build, release; release is
# the default). It needs Dockerfile syntax 1.20 or later (COPY --parents; COPY --exclude is 1.19),
# which the syntax line above pulls.
# Every value comes from the resolved plan, preset python applied, as `stagefile plan` prints it,
# each with where it came from. The images were not inspected: what the preset would read from them
# at build time (the release's user, an image's PATH) is as `stagefile plan` shows it.
# Lines that start with "eject:" say where this file does not do exactly what the Stagefile did.

# dependencies: build image + manifests + production dependencies
FROM python:3.11-bookworm AS dependencies
# eject: the Stagefile's dependencies target requires the tests; a stage cannot require one that
# comes after it, and this one is what the tests run on: --target dependencies here does not run
# them
# env.CFLAGS (preset python: extensions built from sdists without debug info, which names a random
# build folder)
ENV CFLAGS=-g0
# env.PATH (preset python: the virtualenv's commands first, for test and build)
ENV PATH=/app/.venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# env.PIP_DISABLE_PIP_VERSION_CHECK (preset python: pip asks the index for its own version
# otherwise)
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
# env.PIP_NO_BINARY (Stagefile line 13:3)
ENV PIP_NO_BINARY=markupsafe
# env.PYTHONHASHSEED (preset python: files written in set order (virtualenv's RECORD of the pip it
# seeds) come out the same in every build)
ENV PYTHONHASHSEED=0
# env.SOURCE_DATE_EPOCH (preset python: hash-based .pyc files, not the install time: a reproducible
# release)
ENV SOURCE_DATE_EPOCH=315532800
# Every step runs as root, in workdir, as in the Stagefile, whatever the image's user.
USER 0:0
WORKDIR /app

# dependencies.manifests: only these are copied before the installs, so a source edit keeps them
# cached.
# requirements.txt (preset python: the lockfile)
# requirements-dev.txt (preset python: the development requirements)
COPY --parents ["requirements.txt", "requirements-dev.txt", "/app/"]

# eject: the ids are the Stagefile's, but the Dockerfile frontend prefixes each with
# BUILDKIT_CACHE_MOUNT_NS and "/": these are other caches than the Stagefile build's, empty at the
# first build
# dependencies.production (preset python: requirements.txt → pip): what the release needs at run
# time; workdir as it leaves it is the release's dependency layer.
RUN --mount=type=cache,id=/root/.cache/pip,target=/root/.cache/pip,sharing=shared \
    --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "python3 -m venv .venv && .venv/bin/python -m pip install --no-input --require-hashes -r requirements.txt"]

# development: production + development dependencies + source: what test and build run on
FROM dependencies AS development
# eject: the Stagefile's development target requires the tests; a stage cannot require one that
# comes after it, and this one is what the tests run on: --target development here does not run them
# dependencies.development (preset python: requirements.txt → pip): adds what test and build need,
# on top of the production install.
RUN --mount=type=cache,id=/root/.cache/pip,target=/root/.cache/pip,sharing=shared \
    --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", ".venv/bin/python -m pip install --no-input --require-hashes -r requirements-dev.txt"]
# The source: the build context without source.exclude (.venv **/Stagefile **/Stagefile.dockerignore
# **/.git), on top of .dockerignore; and without this file (saved under another name, write that
# name here): editing it reruns neither test nor build.
COPY --exclude=.venv --exclude=**/Stagefile --exclude=**/Stagefile.dockerignore --exclude=**/.git --exclude=**/Dockerfile --exclude=**/Dockerfile.dockerignore [".", "/app/"]

# test: the tree after the tests ran, or only test.reports when declared
FROM development AS test
# test.run (preset python: pytest is in requirements-dev.txt): a failing test fails this stage, and
# every target that requires it.
RUN --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "python -m pytest"]

# The Stagefile refuses --target test-reports without test.reports; here it is the test target.
FROM test AS test-reports

# build: the tree after the build ran
FROM development AS build
# eject: the Stagefile's graph makes each target require the tests without touching it (a
# passthrough op); here a COPY from the test stage of /.stagefile-tests-passed-*, which no file
# matches, adds nothing but cannot run before the tests passed
# This target requires the tests: the copy adds nothing (no file matches), and waits for the test
# stage.
COPY --from=test ["/.stagefile-tests-passed-*", "/"]

# release: runtime image + production dependencies + build outputs
FROM python:3.11-slim-bookworm AS release
# eject: the Stagefile assembles the release with one merge of independent layers (MergeOp); COPY
# --link makes each copy a layer of its own, merged on top, which keeps what matters: a source edit
# does not copy the dependencies again
# The production dependencies: workdir as the production install left it, without what the app does
# not read (dependencies.unshipped).
COPY --link --from=dependencies --exclude=requirements.txt --exclude=requirements-dev.txt ["/app", "/app"]
# output greeter (Stagefile line 16:13)
# build.outputs, from the context (there is no build step), at the same paths in workdir.
COPY --link --parents ["greeter", "/app/"]
# This target requires the tests: the copy adds nothing (no file matches), and waits for the test
# stage.
COPY --link --from=test ["/.stagefile-tests-passed-*", "/"]
# release.env.HOME (preset python: uid 1000 has no home in the runtime image)
ENV HOME=/tmp
# release.env.PATH (preset python: the virtualenv's commands first, then the runtime image's PATH)
ENV PATH=/app/.venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# release.env.PORT (Stagefile line 20:9)
ENV PORT=8080
# release.env.PYTHONDONTWRITEBYTECODE (preset python: the app's files are read-only to it: no .pyc
# next to them)
ENV PYTHONDONTWRITEBYTECODE=1
# release.env.PYTHONUNBUFFERED (preset python: logs reach docker logs as they are written)
ENV PYTHONUNBUFFERED=1
# release.user (preset python: the runtime image has no unprivileged user: a numeric uid, which
# needs no /etc/passwd entry)
USER 1000:1000
WORKDIR /app
EXPOSE 8080
# eject: before exporting, the Stagefile checks that the release has the program and the script its
# command names; a Dockerfile does not: docker run finds out
# release.cmd (Stagefile line 22:8)
CMD ["gunicorn", "--workers", "2", "greeter:app"]
