package integration

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestBuildArgs: --build-arg APP_VERSION reaches a release label and what
// a build command writes; changing it re-runs only the steps that read
// it; an undeclared build arg is reported.
func TestBuildArgs(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-yarn")
	sf := filepath.Join(dir, "Stagefile")
	s := readFile(t, sf)
	s = strings.Replace(s, "workdir: /app\n", "workdir: /app\nargs:\n  APP_VERSION:\n    default: 0.0.0-dev\n    description: the version the release reports\n", 1)
	s = strings.Replace(s, "  run: yarn run build\n", "  run: yarn run build && echo \"$APP_VERSION\" > build/VERSION\n", 1)
	s = strings.Replace(s, "  cmd: [build/server.js]\n", "  cmd: [build/server.js]\n  labels:\n    org.opencontainers.image.version: \"${APP_VERSION}\"\n", 1)
	writeFile(t, sf, s)

	build := func(version string, extra ...string) (*progress, string) {
		ref := uniqueRef(t, "build-args")
		args := append([]string{"--progress=rawjson", "--opt", "build-arg:APP_VERSION=" + version, "--output", pushOutput(ref)}, extra...)
		out, err := buildctl(t, dir, args...)
		p := parseProgress(t, out)
		t.Logf("APP_VERSION=%s:\n%s", version, p.summary())
		assert.NilError(t, err, tail(out, 20))
		return p, ref
	}
	_, ref := build("1.2.3", "--opt", "build-arg:UNDECLARED=x")
	img := pullImage(t, ref)
	assert.Check(t, is.Equal(img.Config.Config.Labels["org.opencontainers.image.version"], "1.2.3"))
	files := filesOf(t, img)
	assert.Assert(t, files["app/build/VERSION"] != nil)
	assert.Check(t, is.Equal(string(files["app/build/VERSION"].Data), "1.2.3\n"))

	// a version no earlier build used, on this daemon or in an earlier
	// run's cache, so that the build step must run
	p, _ := build(fmt.Sprintf("1.2.4-%d", unique()), "--opt", "build-arg:UNDECLARED=x")
	for _, cached := range []string{"[dependencies] yarn install", "[development] yarn install", "[source] copy build context", "[test] yarn run test"} {
		assert.Check(t, p.step(t, cached).Cached, "%s ran again though it does not read APP_VERSION", cached)
	}
	assert.Check(t, !p.step(t, "[build] yarn run build").Cached, "the build step reads APP_VERSION")
	assert.Check(t, is.Contains(strings.Join(p.warnings, "\n"), "UnusedBuildArg: build arg UNDECLARED was passed but the Stagefile declares no such arg"))
}

// TestHealthcheckAndStopSignal: the release config carries them, and the
// Debian engine runs the healthcheck until the container is healthy.
func TestHealthcheckAndStopSignal(t *testing.T) {
	t.Parallel()
	requireDocker(t)
	dir := example(t, "node-yarn")
	appendFile(t, filepath.Join(dir, "Stagefile"), `  healthcheck:
    test: [node, -e, "require('http').get('http://127.0.0.1:'+process.env.PORT+'/health', r => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]
    interval: 1s
    timeout: 2s
    retries: 3
  stopSignal: SIGINT
`)
	ref := uniqueRef(t, "healthcheck")
	out, err := buildctl(t, dir, "--progress=plain", "--output", pushOutput(ref))
	assert.NilError(t, err, tail(out, 20))
	cfg := pullImage(t, ref).Config.Config
	assert.Assert(t, cfg.Healthcheck != nil)
	assert.Check(t, is.Equal(cfg.Healthcheck.Test[0], "CMD"))
	assert.Check(t, is.Equal(cfg.Healthcheck.Interval, time.Second))
	assert.Check(t, is.Equal(cfg.StopSignal, "SIGINT"))

	out, err = run(t, "", dockerEnv(), "docker", "pull", ref)
	assert.NilError(t, err, out)
	port := freePort(t)
	name := fmt.Sprintf("stagefile-health-%d", unique())
	out, err = run(t, "", dockerEnv(), "docker", "run", "-d", "--name", name, "--network", "host", "-e", fmt.Sprintf("PORT=%d", port), ref)
	assert.NilError(t, err, out)
	defer run(t, "", dockerEnv(), "docker", "rm", "-f", name)
	assert.Check(t, waitHealthy(t, name), "the container never became healthy")
	out, _ = run(t, "", dockerEnv(), "docker", "inspect", "-f", "{{.Config.StopSignal}}", name)
	assert.Check(t, is.Equal(strings.TrimSpace(out), "SIGINT"))
}

func waitHealthy(t *testing.T, name string) bool {
	t.Helper()
	for i := 0; i < 60; i++ {
		out, _ := run(t, "", dockerEnv(), "docker", "inspect", "-f", "{{.State.Health.Status}}", name)
		if strings.TrimSpace(out) == "healthy" {
			return true
		}
		time.Sleep(500 * time.Millisecond)
	}
	logs, _ := run(t, "", dockerEnv(), "docker", "inspect", "-f", "{{json .State.Health}}", name)
	t.Logf("health: %s", logs)
	return false
}

// TestDistroless: the distroless example releases on a runtime with no
// shell, runs as uid 65532, answers, keeps its one writable folder owned
// by 65532, and becomes healthy.
func TestDistroless(t *testing.T) {
	t.Parallel()
	requireDocker(t)
	dir := example(t, "node-distroless")
	ref := uniqueRef(t, "node-distroless")
	out, err := buildctl(t, dir, "--progress=plain", "--output", pushOutput(ref))
	assert.NilError(t, err, tail(out, 30))
	assert.Check(t, is.Contains(out, "[image] node:20-slim"), "the build image comes from engines.node")
	img := pullImage(t, ref)
	files := filesOf(t, img)
	for _, sh := range []string{"bin/sh", "bin/bash", "bin/busybox", "usr/bin/sh"} {
		assert.Check(t, files[sh] == nil, "%s in a distroless release", sh)
	}
	data := files["app/data"]
	assert.Assert(t, data != nil, "the writable folder is missing")
	assert.Check(t, data.Header.Typeflag == '5' && data.Header.Uid == 65532, "app/data is owned by %d", data.Header.Uid)
	assert.Check(t, files["app/node_modules/ms/package.json"] != nil)
	assert.Check(t, files["app/test"] == nil)
	cfg := img.Config.Config
	assert.Check(t, is.DeepEqual(cfg.Entrypoint, []string{"/nodejs/bin/node"}), "the distroless entrypoint is kept")
	assert.Check(t, is.DeepEqual(cfg.Cmd, []string{"src/server.js"}))

	out, err = run(t, "", dockerEnv(), "docker", "pull", ref)
	assert.NilError(t, err, out)
	port := freePort(t)
	name := fmt.Sprintf("stagefile-distroless-%d", unique())
	out, err = run(t, "", dockerEnv(), "docker", "run", "-d", "--name", name, "--network", "host", "-e", fmt.Sprintf("PORT=%d", port), ref)
	assert.NilError(t, err, out)
	defer run(t, "", dockerEnv(), "docker", "rm", "-f", name)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	var body string
	for i := 0; i < 240; i++ { // a minute: other tests' builds share the two cores
		if resp, err := http.Get(base + "/health"); err == nil {
			b := new(strings.Builder)
			fmt.Fprint(b, resp.StatusCode)
			resp.Body.Close()
			body = b.String()
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	assert.Check(t, is.Equal(body, "200"), "the app did not answer")
	req, _ := http.NewRequest(http.MethodPut, base+"/notes/first", strings.NewReader("hello"))
	resp, err := http.DefaultClient.Do(req)
	assert.NilError(t, err)
	resp.Body.Close()
	assert.Check(t, is.Equal(resp.StatusCode, 201), "the app cannot write its data folder")
	uid, _ := run(t, "", dockerEnv(), "docker", "inspect", "-f", "{{.Config.User}}", name)
	assert.Check(t, is.Equal(strings.TrimSpace(uid), "65532"))
	out, err = run(t, "", dockerEnv(), "docker", "exec", name, "/bin/sh", "-c", "true")
	assert.Check(t, err != nil, "a shell ran in the distroless release: %s", out)
	assert.Check(t, waitHealthy(t, name), "the container never became healthy")
}

// TestNodeVersionMismatch: an app that asks for Node.js 22 built on a
// node:20 image gets a warning at the image line; with # check=error=true
// the build fails.
func TestNodeVersionMismatch(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-npm")
	pkg := filepath.Join(dir, "package.json")
	writeFile(t, pkg, strings.Replace(readFile(t, pkg), `"private": true,`, `"private": true, "engines": {"node": ">=22"},`, 1))
	out, err := buildctl(t, dir, "--progress=rawjson", "--opt", "target=dependencies")
	assert.NilError(t, err, tail(out, 20))
	warnings := strings.Join(parseProgress(t, out).warnings, "\n")
	assert.Check(t, is.Contains(warnings, "NodeVersionMismatch: node:20-bookworm-slim has Node.js 20.20.2, but package.json engines.node wants >=22"))
	line := 2 + strings.Count(strings.Split(readFile(t, filepath.Join(dir, "Stagefile")), "\nimage: ")[0], "\n")
	assert.Check(t, is.Contains(warnings, fmt.Sprintf("(Stagefile line %d)", line)), "points at the image line: %s", warnings)

	sf := filepath.Join(dir, "Stagefile")
	// directives come first, as in a Dockerfile: right under # syntax=
	first, rest, _ := strings.Cut(readFile(t, sf), "\n")
	writeFile(t, sf, first+"\n# check=error=true\n"+rest)
	out, err = buildctl(t, dir, "--progress=plain", "--opt", "target=dependencies")
	assert.Assert(t, err != nil, "error=true did not fail the build")
	assert.Check(t, is.Contains(out, "NodeVersionMismatch"))
}
