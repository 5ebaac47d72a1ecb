# syntax=docker/dockerfile:1
#
# Ejected from examples/python-poetry/Stagefile by `stagefile eject` (stagefile test) for
# linux/amd64.
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
# env.PIP_ROOT_USER_ACTION (preset python: poetry 2.5.1 (the version that wrote poetry.lock) is
# installed with pip when the image has none)
ENV PIP_ROOT_USER_ACTION=ignore
# env.POETRY_VIRTUALENVS_IN_PROJECT (preset python: the virtualenv in workdir, which the release
# carries)
ENV POETRY_VIRTUALENVS_IN_PROJECT=true
# env.PYTHONHASHSEED (preset python: files written in set order (virtualenv's RECORD of the pip it
# seeds) come out the same in every build)
ENV PYTHONHASHSEED=0
# env.SOURCE_DATE_EPOCH (preset python: hash-based .pyc files, not the install time: a reproducible
# release)
ENV SOURCE_DATE_EPOCH=315532800
# Every step runs as root, in workdir, as in the Stagefile, whatever the image's user.
USER 0:0
WORKDIR /app

# eject: the ids are the Stagefile's, but the Dockerfile frontend prefixes each with
# BUILDKIT_CACHE_MOUNT_NS and "/": these are other caches than the Stagefile build's, empty at the
# first build
# dependencies.tools (preset python: poetry 2.5.1 (the version that wrote poetry.lock), when the
# image has none): in a step of its own before the manifests are copied, so a lockfile change does
# not run it again.
RUN --mount=type=cache,id=/root/.cache/pypoetry,target=/root/.cache/pypoetry,sharing=shared \
    --mount=type=cache,id=/root/.cache/pip,target=/root/.cache/pip,sharing=shared \
    --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "sh -c 'command -v poetry >/dev/null 2>&1 || python3 -m pip install --no-input poetry==2.5.1'"]

# dependencies.manifests: only these are copied before the installs, so a source edit keeps them
# cached.
# pyproject.toml (preset python: the project)
# poetry.lock (preset python: the lockfile)
COPY --parents ["pyproject.toml", "poetry.lock", "/app/"]

# dependencies.production (preset python: poetry.lock → poetry): what the release needs at run
# time; workdir as it leaves it is the release's dependency layer.
RUN --mount=type=cache,id=/root/.cache/pypoetry,target=/root/.cache/pypoetry,sharing=shared \
    --mount=type=cache,id=/root/.cache/pip,target=/root/.cache/pip,sharing=shared \
    --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "poetry install --only main --no-root --no-interaction --no-ansi --compile"]

# development: production + development dependencies + source: what test and build run on
FROM dependencies AS development
# eject: the Stagefile's development target requires the tests; a stage cannot require one that
# comes after it, and this one is what the tests run on: --target development here does not run them
# dependencies.development (preset python: poetry.lock → poetry): adds what test and build need,
# on top of the production install.
RUN --mount=type=cache,id=/root/.cache/pypoetry,target=/root/.cache/pypoetry,sharing=shared \
    --mount=type=cache,id=/root/.cache/pip,target=/root/.cache/pip,sharing=shared \
    --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "poetry install --no-root --no-interaction --no-ansi"]
# The source: the build context without source.exclude (.venv **/Stagefile **/Stagefile.dockerignore
# **/.git), on top of .dockerignore; and without this file (saved under another name, write that
# name here): editing it reruns neither test nor build.
COPY --exclude=.venv --exclude=**/Stagefile --exclude=**/Stagefile.dockerignore --exclude=**/.git --exclude=**/Dockerfile --exclude=**/Dockerfile.dockerignore [".", "/app/"]

# test: the tree after the tests ran, or only test.reports when declared
FROM development AS test
# test.run (preset python: pytest is in tool.poetry.group.dev.dependencies): a failing test fails
# this stage, and every target that requires it.
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
COPY --link --from=dependencies --exclude=poetry.lock ["/app", "/app"]
# output notes (preset python: the package of project.scripts notes)
# build.outputs, from the context (there is no build step), at the same paths in workdir.
COPY --link --parents ["notes", "/app/"]
# This target requires the tests: the copy adds nothing (no file matches), and waits for the test
# stage.
COPY --link --from=test ["/.stagefile-tests-passed-*", "/"]
# release.env.HOME (preset python: uid 1000 has no home in the runtime image)
ENV HOME=/tmp
# release.env.PATH (preset python: the virtualenv's commands first, then the runtime image's PATH)
ENV PATH=/app/.venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
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
# release.entrypoint (preset python: project.scripts notes = notes.server:main)
ENTRYPOINT ["/app/.venv/bin/python", "-c", "import sys; sys.argv[0] = \"notes\"; from notes.server import main; sys.exit(main())"]
