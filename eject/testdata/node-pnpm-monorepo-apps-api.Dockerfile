# syntax=docker/dockerfile:1
#
# Ejected from examples/node-pnpm-monorepo/apps/api/Stagefile by `stagefile eject` (stagefile test)
# for linux/amd64.
# The stock Dockerfile frontend builds it into the Stagefile's targets, with the same names: docker
# build --target T . (T: dependencies, development, test, test-reports, build, release; release is
# the default). It needs Dockerfile syntax 1.20 or later (COPY --parents; COPY --exclude is 1.19),
# which the syntax line above pulls.
# Every value comes from the resolved plan, preset node applied, as `stagefile plan` prints it, each
# with where it came from. The images were not inspected: what the preset would read from them at
# build time (the release's user, an image's PATH) is as `stagefile plan` shows it.
# Lines that start with "eject:" say where this file does not do exactly what the Stagefile did.

# dependencies: build image + manifests + production dependencies
FROM node:20-bookworm-slim AS dependencies
# eject: the Stagefile's dependencies target requires the tests; a stage cannot require one that
# comes after it, and this one is what the tests run on: --target dependencies here does not run
# them
# env.CI (preset node: the steps run unattended: test runners (vitest, react-scripts test) must not
# watch for changes)
ENV CI=true
# env.COREPACK_ENABLE_DOWNLOAD_PROMPT (preset node: corepack must not ask before fetching pnpm)
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0
# env.npm_config_update_notifier (preset node: npm must not look for a newer npm in every step)
ENV npm_config_update_notifier=false
# Every step runs as root, in workdir, as in the Stagefile, whatever the image's user.
USER 0:0
WORKDIR /app

# eject: the ids are the Stagefile's, but the Dockerfile frontend prefixes each with
# BUILDKIT_CACHE_MOUNT_NS and "/": these are other caches than the Stagefile build's, empty at the
# first build
# dependencies.tools (preset node: pnpm comes from corepack): in a step of its own before the
# manifests are copied, so a lockfile change does not run it again.
RUN --mount=type=cache,id=/root/.local/share/pnpm/store,target=/root/.local/share/pnpm/store,sharing=shared \
    --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "corepack enable && corepack install -g pnpm@10.34.8"]

# dependencies.manifests: only these are copied before the installs, so a source edit keeps them
# cached.
# package.json (preset node: the package)
# pnpm-lock.yaml (preset node: the lockfile)
# pnpm-workspace.yaml (preset node: the workspace's packages)
# apps/*/package.json (preset node: a workspace (apps/*))
# packages/*/package.json (preset node: a workspace (packages/*))
COPY --parents ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "apps/*/package.json", "packages/*/package.json", "/app/"]

# eject: the installs run on each target platform, emulated where the builder is another; for
# linux/amd64, the build platform, both install natively. A Dockerfile cannot make that decision per
# platform at build time
# dependencies.production (preset node: pnpm-lock.yaml → pnpm): what the release needs at run
# time; workdir as it leaves it is the release's dependency layer.
RUN --mount=type=cache,id=/root/.local/share/pnpm/store,target=/root/.local/share/pnpm/store,sharing=shared \
    --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "pnpm install --prod --frozen-lockfile --store-dir /root/.local/share/pnpm/store --filter '{./apps/api}...'"]

# development: production + development dependencies + source: what test and build run on
FROM dependencies AS development
# eject: the Stagefile's development target requires the tests; a stage cannot require one that
# comes after it, and this one is what the tests run on: --target development here does not run them
# dependencies.development (preset node: pnpm-lock.yaml → pnpm): adds what test and build need, on
# top of the production install.
RUN --mount=type=cache,id=/root/.local/share/pnpm/store,target=/root/.local/share/pnpm/store,sharing=shared \
    --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "pnpm install --frozen-lockfile --config.confirmModulesPurge=false --store-dir /root/.local/share/pnpm/store --filter '{./apps/api}...'"]
# The source: the build context without source.exclude (**/node_modules **/Stagefile
# **/Stagefile.dockerignore **/.git), on top of .dockerignore; and without this file (saved under
# another name, write that name here): editing it reruns neither test nor build.
# source.scope is workspace: only what the app uses is copied, so an edit elsewhere reruns neither
# test nor build.
# packages/logger (preset node: apps/api/package.json @acme/logger → packages/logger (workspace:
# protocol))
# packages/shared (preset node: apps/api/package.json @acme/shared → packages/shared (workspace:
# protocol))
# package.json (preset node: the workspace's root manifest)
# pnpm-lock.yaml (preset node: the lockfile)
# pnpm-workspace.yaml (preset node: the workspace's packages)
# tsconfig.base.json (preset node: a tool file at the workspace's root (the preset's list:
# docs/presets.md#monorepos))
# build.workspace runs on the scope without the app's folder apps/api, copied after it: an edit in
# the app keeps it cached.
COPY --parents --exclude=**/node_modules --exclude=**/Stagefile --exclude=**/Stagefile.dockerignore --exclude=**/.git --exclude=**/Dockerfile --exclude=**/Dockerfile.dockerignore --exclude=apps/api ["packages/logger", "packages/shared", "package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "tsconfig.base.json", "/app/"]
# build.workspace (preset node: the build scripts of the workspace packages the app uses, in
# dependency order: packages/logger): builds the workspace packages the app uses.
RUN --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "cd /app/packages/logger && pnpm build"]
COPY --parents --exclude=**/node_modules --exclude=**/Stagefile --exclude=**/Stagefile.dockerignore --exclude=**/.git --exclude=**/Dockerfile --exclude=**/Dockerfile.dockerignore ["apps/api", "/app/"]

# test: the tree after the tests ran, or only test.reports when declared
FROM development AS test
WORKDIR /app/apps/api
# test.run (preset node: package.json scripts.test): a failing test fails this stage, and every
# target that requires it.
RUN --mount=type=cache,id=node-tools-test/@acme/api,target=/app/apps/api/node_modules/.cache,sharing=shared \
    --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "pnpm test"]

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
FROM node:20-bookworm-slim AS release
# eject: with --sbom=true the Stagefile attaches its own SBOM: the 2 production packages the
# lockfile pins (preset node: pnpm-lock.yaml, production dependencies); the Dockerfile frontend runs
# a scanner image (docker/buildkit-syft-scanner) instead, which it must be able to pull
# eject: the Stagefile assembles the release with one merge of independent layers (MergeOp); COPY
# --link makes each copy a layer of its own, merged on top, which keeps what matters: a source edit
# does not copy the dependencies again
# The production dependencies: workdir as the production install left it, without what the app does
# not read (dependencies.unshipped).
COPY --link --from=dependencies --exclude=pnpm-lock.yaml --exclude=node_modules/.modules.yaml --exclude=node_modules/.pnpm-workspace-state*.json --exclude=node_modules/.pnpm/lock.yaml --exclude=apps/web --exclude=apps/worker ["/app", "/app"]
# output apps/api/src (preset node: apps/api/package.json: what the app's package says it is (files,
# main, exports))
# output packages/logger/dist (preset node: packages/logger/package.json: what the app reads of
# @acme/logger at run time (files, main, exports))
# output packages/shared/src (preset node: packages/shared/package.json: what the app reads of
# @acme/shared at run time (files, main, exports))
# build.outputs, from the build, at the same paths (a pattern's matches keep their names:
# --parents).
COPY --link --parents --from=build ["/app/./apps/api/src", "/app/./packages/logger/dist", "/app/./packages/shared/src", "/app/"]
# This target requires the tests: the copy adds nothing (no file matches), and waits for the test
# stage.
COPY --link --from=test ["/.stagefile-tests-passed-*", "/"]
# release.env.NODE_ENV (preset node: libraries such as express run their production code paths)
ENV NODE_ENV=production
# eject: release.user: preset node may pick an unprivileged user from the runtime image at build
# time, which eject cannot read (no daemon): here the release runs as the runtime image's own user,
# root unless it sets one. Write release.user in the Stagefile and eject again, or a USER line here
WORKDIR /app/apps/api
EXPOSE 8080
# eject: before exporting, the Stagefile checks that the release has the program and the script its
# command names; a Dockerfile does not: docker run finds out
# release.entrypoint (preset node: node as PID 1, so signals reach the app)
ENTRYPOINT ["node"]
# release.cmd (preset node: package.json scripts.start)
CMD ["src/server.js"]
