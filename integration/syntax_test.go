package integration

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// These tests go through the real path a user takes: the client reads the
// Stagefile with the builtin dockerfile.v0 frontend, which finds
// "# syntax=docker.io/stagefile/stagefile:1", pulls the frontend image
// (built from ./Dockerfile by hack/up.sh, served through the docker.io
// mirror) and runs it.

// TestBuildctl builds, pushes and inspects the yarn example, then runs it.
func TestBuildctl(t *testing.T) {
	t.Parallel()
	b := yarnBuild(t)
	ref := b.ref
	p := parseProgress(t, b.out)
	t.Logf("steps:\n%s", p.summary())
	assert.NilError(t, b.err, tail(b.out, 15))

	// the frontend image ran: its steps are in the stream
	p.step(t, "[test] yarn run test")
	p.step(t, "[build] yarn run build")
	p.step(t, "[release] assemble image") // this daemon has MergeOp
	img := pullImage(t, ref)
	assertYarnRelease(t, img)
	t.Logf("release %s: %d layers, %.1f MB compressed, %.1f MB uncompressed", ref, len(img.Layers),
		float64(img.CompressedSize())/1e6, float64(img.UncompressedSize())/1e6)
	runAndCheckHealth(t, ref)
}

// node-yarn as it is, and then with src/app.js edited in a git checkout,
// each built once through "# syntax=" with buildctl and pushed: TestBuildctl
// and TestSourceEditKeepsDependenciesCached check the first,
// TestSourceEditKeepsDependenciesCached and TestTestAndBuildRunInParallel
// the second.
var yarnAsIs, yarnEdited shared

func yarnBuild(t *testing.T) *shared {
	t.Helper()
	return yarnAsIs.get(t, func(t *testing.T, s *shared) {
		dir := copyDir(t, filepath.Join(repoRoot(t), "examples", "node-yarn"), filepath.Join(sharedRoot, "node-yarn"))
		s.ref = uniqueRef(t, "node-yarn")
		s.out, s.err = buildctl(t, dir, "--progress=rawjson", "--output", pushOutput(s.ref))
		s.dir = dir
	})
}

// yarnEditedBuild comes after yarnBuild, so its installs are in the
// cache; git's files (.git is not the app's source) and the edit are new.
func yarnEditedBuild(t *testing.T) *shared {
	t.Helper()
	return yarnEdited.get(t, func(t *testing.T, s *shared) {
		yarnBuild(t)
		dir := copyDir(t, filepath.Join(repoRoot(t), "examples", "node-yarn"), filepath.Join(sharedRoot, "node-yarn-edited"))
		writeFile(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main\n")
		appendFile(t, filepath.Join(dir, "src", "app.js"), fmt.Sprintf("// edited %d\n", unique()))
		s.ref = uniqueRef(t, "node-yarn-edited")
		s.out, s.err = buildctl(t, dir, "--progress=rawjson", "--output", pushOutput(s.ref))
		s.dir = dir
	})
}

// TestBuildctlFailingTest: the client exits non-zero, prints the test's
// output and the Stagefile location, and pushes nothing.
func TestBuildctlFailingTest(t *testing.T) {
	t.Parallel()
	dir := example(t, "failing-test")
	ref := uniqueRef(t, "failing-test")
	out, err := buildctl(t, dir, "--progress=plain", "--output", pushOutput(ref))
	assert.Assert(t, err != nil, "buildctl succeeded though a test fails:\n%s", out)
	assert.Check(t, is.Contains(out, "not ok 1 - greet ends the sentence"), "the test output is shown")
	assert.Check(t, is.Contains(out, "Stagefile:10"), "the Stagefile location is shown")
	assert.Check(t, is.Contains(out, ">>>   run: npm test"), "the offending line is quoted")
	assert.Check(t, !inRegistry(t, ref), "an image was pushed for a failed build")
}

// TestSourceEditKeepsDependenciesCached: after editing a source file, the
// dependency installs are cached and the tests run again.
func TestSourceEditKeepsDependenciesCached(t *testing.T) {
	t.Parallel()
	b := yarnBuild(t)
	assert.NilError(t, b.err, tail(b.out, 15))

	e := yarnEditedBuild(t) // after b: the same app, src/app.js edited
	p := parseProgress(t, e.out)
	t.Logf("after a source edit:\n%s", p.summary())
	assert.NilError(t, e.err, tail(e.out, 15))
	for _, cached := range []string{"[dependencies] copy manifests", "[dependencies] yarn install", "[development] yarn install"} {
		assert.Check(t, p.step(t, cached).Cached, "%s ran again after a source edit", cached)
	}
	for _, ran := range []string{"[source] copy build context", "[test] yarn run test", "[build] yarn run build"} {
		assert.Check(t, !p.step(t, ran).Cached, "%s was cached though the source changed", ran)
	}

	// the Stagefile is not the app's source: a comment and a new release
	// env var leave the tests and the build cached, committed or not
	dir := copyDir(t, e.dir, filepath.Join(t.TempDir(), "node-yarn"))
	sf := filepath.Join(dir, "Stagefile")
	writeFile(t, filepath.Join(dir, ".git", "ORIG_HEAD"), fmt.Sprintf("%d\n", unique()))
	writeFile(t, sf, strings.Replace(readFile(t, sf), "    PORT: \"8080\"\n", "    PORT: \"8080\"\n    LOG_LEVEL: info\n", 1)+"# edited\n")
	out, err := buildctl(t, dir, "--progress=rawjson")
	p = parseProgress(t, out)
	t.Logf("after a Stagefile edit:\n%s", p.summary())
	assert.NilError(t, err, tail(out, 15))
	for _, cached := range []string{"[test] yarn run test", "[build] yarn run build"} {
		assert.Check(t, p.step(t, cached).Cached, "%s ran again after an edit of the Stagefile alone", cached)
	}
}

// TestSpecErrorThroughSyntax: a spec error comes back through the frontend
// image with file, line, column and the quoted line.
func TestSpecErrorThroughSyntax(t *testing.T) {
	t.Parallel()
	dir := example(t, "failing-test")
	writeFile(t, filepath.Join(dir, "Stagefile"), "# syntax="+env.frontend+"\nversion: 1\nimage: node:20-bookworm-slim\nrelease:\n  expose: [80, 99999]\n")
	out, err := buildctl(t, dir, "--progress=plain")
	assert.Assert(t, err != nil, out)
	assert.Check(t, is.Contains(out, `Stagefile:5:16: invalid port "99999"`))
	assert.Check(t, is.Contains(out, ">>>   expose: [80, 99999]"))
}

// TestUnknownUser: a release.user the runtime image's /etc/passwd does not
// have fails at its line before anything runs, not at docker run.
func TestUnknownUser(t *testing.T) {
	t.Parallel()
	dir := example(t, "failing-test")
	writeFile(t, filepath.Join(dir, "Stagefile"), "# syntax="+env.frontend+"\nversion: 1\nimage: node:20-bookworm-slim\nrelease:\n  user: app\n")
	out, err := buildctl(t, dir, "--progress=plain")
	assert.Assert(t, err != nil, out)
	assert.Check(t, is.Contains(out, `Stagefile:5:9: user "app" is not in the /etc/passwd of node:20-bookworm-slim (it has node)`))
}

// TestTestReportsWithoutReports: --target test-reports needs test.reports;
// without them it says so at test.run instead of exporting the tree.
func TestTestReportsWithoutReports(t *testing.T) {
	t.Parallel()
	dir := example(t, "failing-test")
	out, err := buildctl(t, dir, "--progress=plain", "--opt", "target=test-reports")
	assert.Assert(t, err != nil, out)
	assert.Check(t, is.Contains(out, "Stagefile:10:8: target test-reports exports test.reports and the tests' exit code, and this Stagefile lists no test.reports"))
}

// TestStartFileMissing: a release whose command names a file or program
// it does not have fails at the line that wrote it, saying what is there,
// instead of building an image that dies at docker run.
func TestStartFileMissing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ release, want string }{
		{"  cmd: [node, dist/index.js]\n", "the release runs node dist/index.js, and /app/dist/index.js is not in it (/app/dist has app.js, orders.js, server.js)"},
		{"  entrypoint: [pnpm, start]\n", "the release starts pnpm, which is not on its PATH"},
	} {
		dir := example(t, "node-npm")
		sf := filepath.Join(dir, "Stagefile")
		writeFile(t, sf, strings.Replace(readFile(t, sf), "release:\n", "release:\n"+tc.release, 1))
		out, err := buildctl(t, dir, "--progress=plain")
		assert.Check(t, err != nil, out)
		assert.Check(t, is.Contains(out, tc.want), tail(out, 10))
		assert.Check(t, is.Contains(out, "Stagefile:"), "located")
	}
}

// TestMissingInputsLocated: a manifest the context lacks and a mistyped
// image fail at their line, not with BuildKit's bare "not found".
func TestMissingInputsLocated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ from, to, want string }{
		{"manifests: [package.json]", "manifests: [package.json, yarn.lock]", "Stagefile:7:29: manifest yarn.lock is not in the build context"},
		{"image: node:20-bookworm-slim", "image: node:20-bookworm-slm", "Stagefile:4:8: image node:20-bookworm-slm cannot be resolved"},
	} {
		dir := example(t, "failing-test")
		sf := filepath.Join(dir, "Stagefile")
		writeFile(t, sf, strings.Replace(readFile(t, sf), tc.from, tc.to, 1))
		out, err := buildctl(t, dir, "--progress=plain")
		assert.Check(t, err != nil, out)
		assert.Check(t, is.Contains(out, tc.want), tail(out, 8))
	}
}

// TestMissingBuildOutput: an output the build does not create fails at
// its Stagefile line, saying where it was looked for, not with BuildKit's
// checksum error.
func TestMissingBuildOutput(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-yarn")
	sf := filepath.Join(dir, "Stagefile")
	writeFile(t, sf, strings.Replace(readFile(t, sf), "outputs: [build]", "outputs: [build, dist]", 1))
	out, err := buildctl(t, dir, "--progress=plain")
	assert.Assert(t, err != nil, out)
	assert.Check(t, is.Contains(out, "error: failed to solve: Stagefile:30:20: build output dist: /app/dist is not there after the build step ran (write in build.outputs the path the build creates, relative to workdir /app, or make the build create it)"), tail(out, 20))
	assert.Check(t, is.Contains(out, ">>>   outputs: [build, dist]"))

	// a preset's guess at the output of a command the user wrote points
	// at the command
	dir = example(t, "go-http")
	sf = filepath.Join(dir, "Stagefile")
	writeFile(t, sf, readFile(t, sf)+"build:\n  run: CGO_ENABLED=0 go build -o server ./cmd/server\n")
	out, err = buildctl(t, dir, "--progress=plain")
	assert.Assert(t, err != nil, out)
	assert.Check(t, is.Contains(out, "error: failed to solve: Stagefile:17:8: build.run did not write /app/bin/server, the build output preset go expects: the binary go build writes (make the command write it there, or list what it writes under build.outputs)"), tail(out, 20))
}

// TestBuildx builds with `docker buildx build` on a remote-driver builder
// pointing at our buildkitd.
func TestBuildx(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-yarn")
	builder := remoteBuilder(t, "stagefile-test")
	ref := uniqueRef(t, "node-yarn-buildx")
	out, err := run(t, dir, nil, "docker", "buildx", "build", "--builder", builder, "--progress=plain",
		"-f", "Stagefile", "--output", pushOutput(ref), ".")
	t.Log(tail(out, 40))
	assert.NilError(t, err, out)
	assert.Check(t, is.Contains(out, "[test] yarn run test"))
	assertYarnRelease(t, pullImage(t, ref))

	// subrequests: the frontend lists its targets
	out, err = run(t, dir, nil, "docker", "buildx", "build", "--builder", builder, "-f", "Stagefile", "--call", "targets", ".")
	assert.NilError(t, err, out)
	for _, target := range []string{"dependencies", "development", "test", "build", "release (default)"} {
		assert.Check(t, is.Contains(out, target))
	}
}

// TestDockerBuild builds with plain `docker build -f Stagefile .` on the
// Debian docker.io engine (its own, older BuildKit), then runs the image.
func TestDockerBuild(t *testing.T) {
	t.Parallel()
	requireDocker(t)
	dir := example(t, "node-yarn")
	tag := fmt.Sprintf("stagefile-test/node-yarn:%d", unique())
	build := func() (string, error) {
		return run(t, dir, dockerEnv(), "docker", "build", "--network", "host", "--progress=plain", "-f", "Stagefile", "-t", tag, ".")
	}
	out, err := build()
	if err != nil && strings.Contains(out, "desc = unexpected EOF") {
		// Docker 20.10's BuildKit (v0.8) now and then loses a file
		// transfer over the CLI's session stream mid-message (seen once in
		// CI, on the manifests transfer; moby/buildkit#1983). That is the
		// engine's transport, not the frontend, so the build runs once
		// more; a second failure, or any other error, fails the test.
		t.Logf("docker build lost a session transfer; once more. First output:\n%s\ndockerd's log:\n%s", tail(out, 40), dockerdLog(t))
		out, err = build()
	}
	t.Log(tail(out, 40))
	if err != nil {
		t.Logf("dockerd's log:\n%s", dockerdLog(t))
	}
	assert.NilError(t, err, out)
	assert.Check(t, is.Contains(out, "[test] yarn run test"))
	// Docker 20.10's BuildKit has no MergeOp: the frontend checked the
	// capability and copied the layers in order instead
	assert.Check(t, !strings.Contains(out, "[release] assemble image"), "the merge was used on a daemon without MergeOp")
	assert.Check(t, is.Contains(out, "[release] production dependencies"))
	runContainer(t, tag)
}

func requireDocker(t *testing.T) {
	t.Helper()
	if env.docker == "" {
		t.Fatal("STAGEFILE_DOCKER_HOST is not set: hack/test.sh starts dockerd (hack/up.sh --docker)")
	}
}

// dockerdLog is the end of the log hack/up.sh gave dockerd.
func dockerdLog(t *testing.T) string {
	dt, err := os.ReadFile(filepath.Join(cacheDir(t), "logs", "dockerd.log"))
	if err != nil {
		return err.Error()
	}
	return tail(string(dt), 30)
}

func dockerEnv() []string {
	return []string{"DOCKER_HOST=" + env.docker, "DOCKER_BUILDKIT=1"}
}

// runAndCheckHealth pulls ref into the engine and runs it.
func runAndCheckHealth(t *testing.T, ref string) {
	t.Helper()
	requireDocker(t)
	out, err := run(t, "", dockerEnv(), "docker", "pull", ref)
	assert.NilError(t, err, out)
	runContainer(t, ref)
}

// runContainer starts the image as configured (entrypoint, cmd, user) on
// a free port and waits for its health endpoint; runArgs go to docker run
// (e.g. --platform linux/arm64).
func runContainer(t *testing.T, ref string, runArgs ...string) {
	t.Helper()
	port := freePort(t)
	name := fmt.Sprintf("stagefile-test-%d", unique())
	args := append([]string{"run", "-d", "--name", name, "--network", "host", "-e", fmt.Sprintf("PORT=%d", port)}, runArgs...)
	out, err := run(t, "", dockerEnv(), "docker", append(args, ref)...)
	assert.NilError(t, err, out)
	defer run(t, "", dockerEnv(), "docker", "rm", "-f", name)

	url := fmt.Sprintf("http://127.0.0.1:%d/health", port)
	var lastErr error
	for i := 0; i < 240; i++ { // a minute: an emulated node starts slowly
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			assert.Equal(t, resp.StatusCode, http.StatusOK)
			logs, _ := run(t, "", dockerEnv(), "docker", "logs", name)
			assert.Check(t, is.Contains(logs, fmt.Sprintf("listening on :%d", port)))
			user, _ := run(t, "", dockerEnv(), "docker", "exec", name, "id", "-u")
			assert.Check(t, is.Equal(strings.TrimSpace(user), "1000"), "the app runs as the node user")
			return
		}
		lastErr = err
		time.Sleep(250 * time.Millisecond)
	}
	logs, _ := run(t, "", dockerEnv(), "docker", "logs", name)
	t.Fatalf("%s never answered: %v\ncontainer logs:\n%s", url, lastErr, logs)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestTestAndBuildRunInParallel: after a source edit the test and build
// steps run at the same time (their progress timestamps overlap), and the
// release still waits for the tests.
func TestTestAndBuildRunInParallel(t *testing.T) {
	t.Parallel()
	e := yarnEditedBuild(t)
	p := parseProgress(t, e.out)
	t.Logf("steps:\n%s", p.summary())
	assert.NilError(t, e.err, tail(e.out, 15))
	test, build := p.step(t, "[test] "), p.step(t, "[build] ")
	assert.Assert(t, !test.Cached && !build.Cached)
	assert.Assert(t, test.Started != nil && test.Completed != nil && build.Started != nil && build.Completed != nil)
	assert.Check(t, build.Started.Before(*test.Completed) && test.Started.Before(*build.Completed),
		"test %s–%s and build %s–%s did not overlap", test.Started.Format("15:04:05.000"), test.Completed.Format("15:04:05.000"),
		build.Started.Format("15:04:05.000"), build.Completed.Format("15:04:05.000"))
	export := p.step(t, "exporting to image")
	assert.Check(t, !export.Started.Before(*test.Completed), "the image was exported before the tests finished")
}

// TestCallCheck: `docker buildx build --call check` lists the spec's
// warnings with their rule names and lines, and builds nothing.
func TestCallCheck(t *testing.T) {
	t.Parallel()
	dir := unsafeRelease(t, "  entrypoint: [npm, start]\n")
	builder := remoteBuilder(t, "stagefile-test-check")
	out, err := run(t, dir, nil, "docker", "buildx", "build", "--builder", builder, "-f", "Stagefile", "--call", "check", ".")
	assert.Assert(t, err != nil, "check found warnings, so it exits non-zero:\n%s", out)
	assert.Check(t, is.Contains(out, "WARNING: PackageManagerAsPID1"))
	assert.Check(t, is.Contains(out, "npm as PID 1 does not pass SIGTERM on to the app"))
	assert.Check(t, is.Contains(out, "Stagefile:8"))
	assert.Check(t, !strings.Contains(out, "[dependencies]"), "check built something")
}

// TestGatewayDefaultFilename: with the gateway frontend named directly and
// no filename option, the frontend reads ./Stagefile.
func TestGatewayDefaultFilename(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-yarn")
	newSource(t, dir, "src/app.js")
	out, err := run(t, dir, nil, "buildctl", "--addr", env.buildkit, "build", "--progress=plain",
		"--frontend", "gateway.v0", "--opt", "source="+env.frontend, "--local", "context="+dir, "--local", "dockerfile="+dir)
	assert.NilError(t, err, tail(out, 20))
	assert.Check(t, is.Contains(out, "[internal] load build definition from Stagefile"))
	assert.Check(t, is.Contains(out, "[test] yarn run test"))
}
