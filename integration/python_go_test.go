package integration

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/internal/image"
)

// releaseExample is one example and what its release must and must not
// hold.
type releaseExample struct {
	name    string
	present []string // paths (without the leading /) that must be in the release
	absent  []string // paths that must not be, nor anything under them
	user    string   // the release config's user
	uid     string   // what the running app is
	health  string   // what GET /health answers; `"status"` if empty
}

const sitePackages = "app/.venv/lib/python3.11/site-packages/"

// pythonAbsent: no test or lint tool, no tool cache, no source that is
// not the app's, and neither uv nor poetry (installed in the build image).
var pythonAbsent = []string{sitePackages + "pytest", sitePackages + "_pytest", sitePackages + "ruff", sitePackages + "mypy",
	"app/.venv/bin/pytest", "app/tests", "app/.pytest_cache", "usr/local/bin/uv", "usr/local/bin/poetry"}

// toolCaches are where pip, uv, poetry and go keep caches: the folders may
// be in the base image, nothing in them may be in the release.
var toolCaches = []string{"root/.cache", "root/go", "tmp"}

var releaseExamples = []releaseExample{
	{
		name: "python-uv", user: "1000:1000", uid: "1000",
		present: []string{"app/api/main.py", "app/api/app.py", "app/pyproject.toml", "app/.venv/bin/python",
			sitePackages + "fastapi/__init__.py", sitePackages + "uvicorn/__init__.py",
			// uv sync --compile-bytecode: the app starts without compiling its dependencies
			sitePackages + "fastapi/__pycache__/__init__.cpython-311.pyc"},
		absent: append([]string{sitePackages + "httpx", "app/uv.lock"}, pythonAbsent...),
	},
	{
		name: "python-poetry", user: "1000:1000", uid: "1000",
		present: []string{"app/notes/server.py", sitePackages + "flask/__init__.py", sitePackages + "waitress/__init__.py"},
		absent:  append([]string{"usr/bin/gcc", "root/.cache/pypoetry", "app/poetry.lock"}, pythonAbsent...),
	},
	{
		name: "python-pip", user: "1000:1000", uid: "1000",
		present: []string{"app/greeter/__init__.py", sitePackages + "gunicorn/__init__.py",
			sitePackages + "markupsafe/_speedups.cpython-311-x86_64-linux-gnu.so"},
		// compiled on the full image, run on the slim one: no compiler ships
		absent: append([]string{"usr/bin/gcc", "usr/bin/g++", "usr/include/python3.11", "app/requirements.txt"}, pythonAbsent...),
	},
	{
		name: "go-http", user: "65532", uid: "65532",
		present: []string{"app/bin/server", "etc/ssl/certs/ca-certificates.crt"},
		// the binary alone: no toolchain, no module or build cache, no source, no shell
		absent: []string{"usr/local/go", "go", "root/.cache", "app/go.mod", "app/cmd", "app/internal", "bin/sh", "bin/busybox", "usr/bin/sh"},
	},
	{
		name: "rust-axum", user: "65532", uid: "65532", health: "ok",
		present: []string{"app/bin/rust-axum", "etc/ssl/certs/ca-certificates.crt"},
		// the static binary alone: no toolchain, no target folder or cargo cache, no source, no shell
		absent: []string{"usr/local/cargo", "usr/local/rustup", "app/target", "app/Cargo.toml", "app/src", "bin/sh", "usr/bin/sh"},
	},
	{
		name: "java-maven", user: "1000:1000", uid: "1000", health: "ok",
		present: []string{"app/target/hello-1.0.0.jar", "app/target/dependency"},
		// a JRE: no compiler, no Maven, no local repository, no sources or test classes
		absent: []string{"usr/share/maven", "root/.m2", "app/pom.xml", "app/src", "app/target/test-classes", "app/target/classes",
			"usr/lib/jvm/java-17-openjdk-amd64/bin/javac"},
	},
	{
		name: "node-bun", user: "bun", uid: "1000",
		present: []string{"app/src/server.ts", "app/node_modules/hono/package.json", "usr/local/bin/bun"},
		// bun runs the TypeScript source: no tests, no dev dependencies, no npm
		absent: []string{"app/test", "app/bun.lock", "app/node_modules/@types", "usr/local/bin/npm", "root/.bun"},
	},
}

// releaseExampleNamed is the example of that name.
func releaseExampleNamed(t *testing.T, name string) releaseExample {
	for _, ex := range releaseExamples {
		if ex.name == name {
			return ex
		}
	}
	t.Fatalf("no example %s", name)
	return releaseExample{}
}

// TestPythonExamples and TestGoExample build each example through
// "# syntax=", check what its release holds, then run it and call it.
func TestPythonExamples(t *testing.T) {
	t.Parallel()
	for _, ex := range releaseExamples[:3] {
		t.Run(ex.name, func(t *testing.T) { t.Parallel(); buildAndCheck(t, ex) })
	}
}

func TestGoExample(t *testing.T) {
	t.Parallel()
	img := buildAndCheck(t, releaseExamples[3])
	cfg := img.Config.Config
	assert.Check(t, is.DeepEqual(cfg.Entrypoint, []string{"/app/bin/server"}), "the binary as PID 1")
	var bytes int64
	files := filesOf(t, img)
	for _, f := range files {
		bytes += f.Header.Size
	}
	// no dependency layer: in workdir, the binary alone
	assert.Check(t, is.DeepEqual(image.Under(files, "app"), []string{"app/bin", "app/bin/server"}))
	assert.Check(t, bytes < 15e6, "the release holds %d bytes", bytes)
	assert.Check(t, img.CompressedSize() < 15e6)
}

func buildAndCheck(t *testing.T, ex releaseExample) *image.Image {
	t.Helper()
	requireDocker(t)
	dir := example(t, ex.name)
	ref := uniqueRef(t, ex.name)
	start := time.Now()
	out, err := buildctl(t, dir, "--progress=rawjson", "--output", pushOutput(ref))
	p := parseProgress(t, out)
	t.Logf("steps (%.1fs):\n%s", time.Since(start).Seconds(), p.summary())
	assert.NilError(t, err, tail(out, 20))

	img := pullImage(t, ref)
	files := filesOf(t, img)
	for _, want := range ex.present {
		assert.Check(t, files[want] != nil, "%s missing from the release", want)
	}
	for _, unwanted := range ex.absent {
		assert.Check(t, files[unwanted] == nil && len(image.Under(files, unwanted)) == 0,
			"%s must not be in the release: %v", unwanted, first(image.Under(files, unwanted), 3))
	}
	for _, cache := range toolCaches {
		assert.Check(t, is.Len(image.Under(files, cache), 0), "files in %s: %v", cache, first(image.Under(files, cache), 3))
	}
	assert.Check(t, is.Equal(img.Config.Config.User, ex.user))
	assert.Check(t, is.Equal(img.Config.Config.WorkingDir, "/app"))
	if strings.HasPrefix(ex.name, "python") {
		env := strings.Join(img.Config.Config.Env, "\n")
		for _, want := range []string{"PATH=/app/.venv/bin:/usr/local/sbin:", "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1"} {
			assert.Check(t, is.Contains(env, want))
		}
	}
	t.Logf("release: %.1f MB compressed, %.1f MB of files", float64(img.CompressedSize())/1e6, float64(img.UncompressedSize())/1e6)
	health := ex.health
	if health == "" {
		health = `"status"`
	}
	runAndCall(t, ref, ex.uid, health)
	return img
}

// runAndCall runs the release as configured on a free port, waits for
// /health, and checks who the app runs as.
func runAndCall(t *testing.T, ref, uid, health string) {
	t.Helper()
	out, err := run(t, "", dockerEnv(), "docker", "pull", ref)
	assert.NilError(t, err, out)
	port := freePort(t)
	name := fmt.Sprintf("stagefile-test-%d", unique())
	out, err = run(t, "", dockerEnv(), "docker", "run", "-d", "--name", name, "--network", "host", "-e", fmt.Sprintf("PORT=%d", port), ref)
	assert.NilError(t, err, out)
	defer run(t, "", dockerEnv(), "docker", "rm", "-f", name)
	url := fmt.Sprintf("http://127.0.0.1:%d/health", port)
	for i := 0; i < 240; i++ { // a minute: other tests' builds share the two cores
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Check(t, is.Equal(resp.StatusCode, http.StatusOK))
			assert.Check(t, is.Contains(string(body), health))
			logs, _ := run(t, "", dockerEnv(), "docker", "logs", name)
			assert.Check(t, is.Contains(logs, fmt.Sprintf(":%d", port)))
			pid1, _ := run(t, "", dockerEnv(), "docker", "inspect", "-f", "{{.State.Pid}}", name)
			status := readFile(t, "/proc/"+strings.TrimSpace(pid1)+"/status")
			assert.Check(t, is.Contains(status, "\nUid:\t"+uid+"\t"), "the app runs as %s", uid)
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	logs, _ := run(t, "", dockerEnv(), "docker", "logs", name)
	t.Fatalf("%s never answered\ncontainer logs:\n%s", url, logs)
}

// TestPythonNativeExtensionRunsOnSlim: markupsafe's C extension, compiled
// from its sdist on the full image, loads in the slim release.
func TestPythonNativeExtensionRunsOnSlim(t *testing.T) {
	t.Parallel()
	requireDocker(t)
	dir := example(t, "python-pip")
	ref := uniqueRef(t, "python-pip")
	out, err := buildctl(t, dir, "--progress=plain", "--output", pushOutput(ref))
	assert.NilError(t, err, tail(out, 20))
	out, err = run(t, "", dockerEnv(), "docker", "pull", ref)
	assert.NilError(t, err, out)
	out, err = run(t, "", dockerEnv(), "docker", "run", "--rm", "--network", "none", "--entrypoint", "python", ref,
		"-c", "import markupsafe; print(markupsafe._escape_inner.__module__, markupsafe.escape('<a>'))")
	assert.NilError(t, err, out)
	assert.Check(t, is.Equal(strings.TrimSpace(out), "markupsafe._speedups &lt;a&gt;"))
}

// sourceEdits: a file each example's tests read, to edit.
var sourceEdits = map[string]string{
	"python-uv": "api/app.py", "python-poetry": "notes/app.py", "python-pip": "greeter/__init__.py", "go-http": "internal/api/api.go",
	"rust-axum": "src/lib.rs", "java-maven": "src/main/java/com/example/Greeting.java", "node-bun": "src/app.ts",
}

// TestPythonSourceEditKeepsDependenciesCached and its Go twin: after a
// source edit the installs are cached and the tests run again.
func TestPythonSourceEditKeepsDependenciesCached(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"python-uv", "python-poetry", "python-pip"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sourceEditKeepsDependencies(t, name, "[test] python -m pytest")
		})
	}
}

func TestGoSourceEditKeepsDependenciesCached(t *testing.T) {
	t.Parallel()
	sourceEditKeepsDependencies(t, "go-http", "[test] go vet ./... && go test ./...")
}

// TestRustExample: the axum service as one static binary on distroless
// static; after a source edit the dependency step, which compiled every
// locked crate against a skeleton, is cached and the tests run again.
func TestRustExample(t *testing.T) {
	t.Parallel()
	img := buildAndCheck(t, releaseExampleNamed(t, "rust-axum"))
	assert.Check(t, is.DeepEqual(img.Config.Config.Entrypoint, []string{"/app/bin/rust-axum"}), "the binary as PID 1")
	assert.Check(t, img.CompressedSize() < 15e6, "the release is %d bytes compressed", img.CompressedSize())
	sourceEditKeepsDependencies(t, "rust-axum", "[test] cargo test --release --locked --offline")
}

// TestJavaExample: the Maven service's jar and runtime dependencies on a
// JRE, java as PID 1; after a source edit the dependency step (every
// plugin and dependency in the local repository) is cached and the tests
// run again, offline.
func TestJavaExample(t *testing.T) {
	t.Parallel()
	img := buildAndCheck(t, releaseExampleNamed(t, "java-maven"))
	ep := img.Config.Config.Entrypoint
	assert.Check(t, len(ep) > 0 && ep[0] == "java", "java as PID 1: %v", ep)
	sourceEditKeepsDependencies(t, "java-maven", "[test] mvn -B -ntp -o verify")
}

// TestBunExample: the TypeScript API runs on bun's image, bun as PID 1
// running the source; after a source edit the installs are cached and
// bun test runs again.
func TestBunExample(t *testing.T) {
	t.Parallel()
	img := buildAndCheck(t, releaseExampleNamed(t, "node-bun"))
	assert.Check(t, is.DeepEqual(img.Config.Config.Entrypoint, []string{"bun"}))
	sourceEditKeepsDependencies(t, "node-bun", "[test] bun test")
}

func sourceEditKeepsDependencies(t *testing.T, name, test string) {
	dir := example(t, name)
	out, err := buildctl(t, dir, "--progress=rawjson")
	assert.NilError(t, err, tail(out, 15))
	appendFile(t, filepath.Join(dir, sourceEdits[name]), comment(name, unique()))
	start := time.Now()
	out, err = buildctl(t, dir, "--progress=rawjson")
	p := parseProgress(t, out)
	t.Logf("after a source edit (%.1fs):\n%s", time.Since(start).Seconds(), p.summary())
	assert.NilError(t, err, tail(out, 15))
	assert.Check(t, p.step(t, "[dependencies] copy manifests").Cached)
	for _, d := range p.order {
		v := p.vertices[d]
		if strings.HasPrefix(v.Name, "[dependencies] ") || strings.HasPrefix(v.Name, "[development] ") {
			if !assert.Check(t, v.Cached, "%s ran again after a source edit", v.Name) {
				// what differs from a cached twin, if there is one
				for _, d2 := range p.order {
					if w := p.vertices[d2]; w.Name == v.Name {
						t.Logf("%s cached=%v inputs=%v", w.Digest, w.Cached, w.Inputs)
					}
				}
			}
		}
	}
	assert.Check(t, !p.step(t, test).Cached, "the tests ran on the edited source")
}

// comment is a line comment in the example's language.
func comment(name string, n int64) string {
	if !strings.HasPrefix(name, "python") {
		return fmt.Sprintf("\n// edited %d\n", n)
	}
	return fmt.Sprintf("\n# edited %d\n", n)
}

// TestPythonFailingTestFailsEveryTarget and its Go twin: a failing test
// fails every target but test itself, and says which test failed.
func TestPythonFailingTestFailsEveryTarget(t *testing.T) {
	t.Parallel()
	dir := example(t, "python-uv")
	appendFile(t, filepath.Join(dir, "tests", "test_app.py"), "\n\ndef test_fails():\n    assert 1 + 1 == 3, \"arithmetic is broken\"\n")
	failsEveryTarget(t, dir, "FAILED tests/test_app.py::test_fails")
}

func TestGoFailingTestFailsEveryTarget(t *testing.T) {
	t.Parallel()
	dir := example(t, "go-http")
	writeFile(t, filepath.Join(dir, "internal", "api", "fail_test.go"), "package api\n\nimport \"testing\"\n\nfunc TestFails(t *testing.T) { t.Fatal(\"arithmetic is broken\") }\n")
	failsEveryTarget(t, dir, "--- FAIL: TestFails")
}

func failsEveryTarget(t *testing.T, dir, failure string) {
	for _, target := range []string{"dependencies", "development", "build", "release"} {
		// one after the other: the same failing step at the same time would
		// run once, its output reaching one of the builds only
		t.Run(target, func(t *testing.T) {
			ref := uniqueRef(t, filepath.Base(dir)+"-failing")
			out, err := buildctl(t, dir, "--progress=plain", "--opt", "target="+target, "--output", pushOutput(ref))
			assert.Assert(t, err != nil, "--target %s built though a test fails:\n%s", target, tail(out, 20))
			assert.Check(t, is.Contains(out, failure), "the failing test is named")
			assert.Check(t, is.Contains(out, "arithmetic is broken"))
			assert.Check(t, !inRegistry(t, ref), "an image was pushed for a failed build")
		})
	}
}

// TestPresetImageNotFound: an image the preset chose (from go.mod's go
// line) that the registry does not have fails at the preset line, saying
// the preset chose it; one the Stagefile names fails at its own line.
func TestPresetImageNotFound(t *testing.T) {
	t.Parallel()
	dir := example(t, "go-http")
	gomod := filepath.Join(dir, "go.mod")
	writeFile(t, gomod, regexp.MustCompile(`(?m)^go .*$`).ReplaceAllString(readFile(t, gomod), "go 1.24"))
	out, err := buildctl(t, dir, "--progress=plain")
	assert.Assert(t, err != nil, out)
	assert.Check(t, is.Contains(out, "error: failed to solve: Stagefile:12:9: image golang:1.24-bookworm, chosen by preset go"), tail(out, 12))
	assert.Check(t, is.Contains(out, "(write image: to use another)"))

	appendFile(t, filepath.Join(dir, "Stagefile"), "image: golang:1.24-bookworm\n")
	out, err = buildctl(t, dir, "--progress=plain")
	assert.Assert(t, err != nil, out)
	assert.Check(t, is.Contains(out, ">>> image: golang:1.24-bookworm"), tail(out, 12))
	assert.Check(t, !strings.Contains(out, "chosen by preset"))
}
