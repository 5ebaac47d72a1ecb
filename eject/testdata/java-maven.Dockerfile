# syntax=docker/dockerfile:1
#
# Ejected from examples/java-maven/Stagefile by `stagefile eject` (stagefile test) for linux/amd64.
# The stock Dockerfile frontend builds it into the Stagefile's targets, with the same names: docker
# build --target T . (T: dependencies, development, test, test-reports, build, release; release is
# the default). It needs Dockerfile syntax 1.20 or later (COPY --parents; COPY --exclude is 1.19),
# which the syntax line above pulls.
# Every value comes from the resolved plan, preset java applied, as `stagefile plan` prints it, each
# with where it came from. The images were not inspected: what the preset would read from them at
# build time (the release's user, an image's PATH) is as `stagefile plan` shows it.
# Lines that start with "eject:" say where this file does not do exactly what the Stagefile did.

# dependencies: build image + manifests + production dependencies
FROM maven:3-eclipse-temurin-17 AS dependencies
# eject: the Stagefile's dependencies target requires the tests; a stage cannot require one that
# comes after it, and this one is what the tests run on: --target dependencies here does not run
# them
# Every step runs as root, in workdir, as in the Stagefile, whatever the image's user.
USER 0:0
WORKDIR /app

# dependencies.manifests: only these are copied before the installs, so a source edit keeps them
# cached.
# pom.xml (preset java: the project)
COPY --parents ["pom.xml", "/app/"]

# dependencies.production (preset java: the poms → mvn verify on a skeleton of them (empty
# sources, an empty test), which resolves every plugin, provider and dependency test and build use
# into /root/.m2/repository): what the release needs at run time; workdir as it leaves it is the
# release's dependency layer.
RUN --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "sh -c 'set -eu\ns=/tmp/stagefile-skeleton\nwhile [ \"$1\" != -- ]; do\n  m=$s/$1/src\n  mkdir -p \"$m/main/java\" \"$m/test/java\"\n  cp \"./$1/pom.xml\" \"$s/$1/pom.xml\"\n  echo \"public class StagefileSkeleton { public static void main(String[] args) {} }\" >\"$m/main/java/StagefileSkeleton.java\"\n  echo \"public class StagefileSkeletonTest {}\" >\"$m/test/java/StagefileSkeletonTest.java\"\n  echo \"public class StagefileSkeletonIT {}\" >\"$m/test/java/StagefileSkeletonIT.java\"\n  shift\ndone\nshift\nif [ -d .mvn ]; then cp -R .mvn \"$s/\"; fi\nif [ -f mvnw ]; then cp mvnw \"$s/\"; fi\ncd \"$s\"\nexec \"$@\"' stagefile-skeleton . -- mvn -B -ntp verify org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DincludeScope=runtime -Dcheckstyle.skip=true -Dpmd.skip=true -Dcpd.skip=true -Dspotbugs.skip=true -Dspotless.check.skip=true -Djacoco.skip=true -Denforcer.skip=true -Dmaven.gitcommitid.skip=true -Dlicense.skip=true -Drat.skip=true -DfailIfNoTests=false -Dsurefire.failIfNoSpecifiedTests=false"]

# development: production + development dependencies + source: what test and build run on
FROM dependencies AS development
# eject: the Stagefile's development target requires the tests; a stage cannot require one that
# comes after it, and this one is what the tests run on: --target development here does not run them
# The source: the build context without source.exclude (target **/Stagefile
# **/Stagefile.dockerignore **/.git), on top of .dockerignore; and without this file (saved under
# another name, write that name here): editing it reruns neither test nor build.
COPY --exclude=target --exclude=**/Stagefile --exclude=**/Stagefile.dockerignore --exclude=**/.git --exclude=**/Dockerfile --exclude=**/Dockerfile.dockerignore [".", "/app/"]

# test: the tree after the tests ran, or only test.reports when declared
FROM development AS test
# test.run (preset java: mvn verify: the tests and every check bound to the lifecycle, offline, from
# the local repository): a failing test fails this stage, and every target that requires it.
RUN --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "mvn -B -ntp -o verify"]

# The Stagefile refuses --target test-reports without test.reports; here it is the test target.
FROM test AS test-reports

# build: the tree after the build ran
FROM development AS build
# build.run (preset java: mvn package, offline, without the tests (the test step runs them), and the
# runtime dependencies copied to target/dependency): in parallel with the tests.
RUN --mount=type=tmpfs,target=/tmp \
    ["/bin/sh", "-c", "mvn -B -ntp -o package -DskipTests org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DincludeScope=runtime && mkdir -p target/dependency"]
# eject: the Stagefile's graph makes each target require the tests without touching it (a
# passthrough op); here a COPY from the test stage of /.stagefile-tests-passed-*, which no file
# matches, adds nothing but cannot run before the tests passed
# This target requires the tests: the copy adds nothing (no file matches), and waits for the test
# stage.
COPY --from=test ["/.stagefile-tests-passed-*", "/"]

# release: runtime image + production dependencies + build outputs
FROM eclipse-temurin:17-jre AS release
# eject: the Stagefile assembles the release with one merge of independent layers (MergeOp); COPY
# --link makes each copy a layer of its own, merged on top, which keeps what matters: a source edit
# does not copy the dependencies again
# output target/hello-1.0.0.jar (preset java: the jar mvn package writes (pom.xml
# artifactId-version))
# output target/dependency (preset java: the runtime dependencies (compile and runtime scopes))
# build.outputs, from the build, at the same paths (a pattern's matches keep their names:
# --parents).
COPY --link --parents --from=build ["/app/./target/hello-1.0.0.jar", "/app/./target/dependency", "/app/"]
# This target requires the tests: the copy adds nothing (no file matches), and waits for the test
# stage.
COPY --link --from=test ["/.stagefile-tests-passed-*", "/"]
# release.user (preset java: the runtime image runs as root: a numeric uid, which needs no
# /etc/passwd entry)
USER 1000:1000
WORKDIR /app
EXPOSE 8080
# eject: before exporting, the Stagefile checks that the release has the program and the script its
# command names; a Dockerfile does not: docker run finds out
# release.entrypoint (preset java: java as PID 1: the main class com.example.App of pom.xml, on the
# jar and its dependencies; the heap sized from the container's memory limit)
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-cp", "/app/target/hello-1.0.0.jar:/app/target/dependency/*", "com.example.App"]
