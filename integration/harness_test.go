// Package integration builds the examples on a real buildkitd: in process
// (frontend.Build through client.Build) and through the real frontend image
// named by "# syntax=", with buildctl, docker buildx and docker build.
//
// hack/test.sh starts everything and exports where it runs. Without that
// environment the tests fail: an integration test that skips proves nothing.
//
// The tests share the harness's daemons and run in parallel (t.Parallel;
// hack/test.sh sets -parallel): each builds its own copy of an example,
// pushes to its own reference (uniqueRef), runs containers under its own
// name on its own port (freePort), and makes its edits unique (unique), so
// that no build's cache hit or miss depends on another test or on an
// earlier run. Builds that several tests check are made once (shared).
// The tests that start fresh daemons (TestReproducible,
// TestFreshRunnerRegistryCache, TestReportsOfFailingTests) run in
// parallel too: their builds wait on downloads as much as on the cores.
// Not parallel, so run first and one at a time: the two-platform builds
// (TestMultiPlatform*), whose arm64 steps and containers run under QEMU,
// many times slower: among the parallel tests, node-multiplatform's own
// test, a fetch to a server in the same emulated process, failed with
// "fetch failed" after 40 s.
// No test prunes or restarts the shared daemons.
package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"gotest.tools/v3/assert"
)

// env is where hack/up.sh started things.
var env struct {
	buildkit string // BUILDKIT_HOST
	registry string // host:port of the local registry
	frontend string // the frontend image examples name in "# syntax="
	docker   string // DOCKER_HOST of the local engine, if started
}

func TestMain(m *testing.M) {
	env.buildkit = os.Getenv("BUILDKIT_HOST")
	env.registry = os.Getenv("STAGEFILE_REGISTRY")
	env.frontend = os.Getenv("STAGEFILE_FRONTEND_IMAGE")
	env.docker = os.Getenv("STAGEFILE_DOCKER_HOST")
	if env.buildkit == "" || env.registry == "" || env.frontend == "" {
		fmt.Fprintln(os.Stderr, "integration tests need a running BuildKit, registry and frontend image:\n"+
			"run them with `make test` (hack/test.sh), which starts all of it, or `source .cache/run/env` after hack/up.sh")
		os.Exit(1)
	}
	var err error
	sharedRoot, err = os.MkdirTemp("", "stagefile-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(sharedRoot)
	os.Exit(code)
}

// sharedRoot holds the folders of shared builds, which outlive the test
// that made them.
var sharedRoot string

// shared is a build that several tests check: made once, by the first
// test that asks for it, the others waiting for it. Each checks err.
type shared struct {
	once sync.Once
	dir  string // what was built; a test that edits it further copies it first
	ref  string // where its release was pushed
	out  string // the client's output
	err  error
}

func (s *shared) get(t *testing.T, build func(t *testing.T, s *shared)) *shared {
	t.Helper()
	s.once.Do(func() { build(t, s) })
	assert.Assert(t, s.dir != "", "the shared build failed in another test")
	return s
}

func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// example copies examples/<name> into a temporary directory, so tests can
// edit it.
func example(t testing.TB, name string) string {
	t.Helper()
	dir := copyDir(t, filepath.Join(repoRoot(t), "examples", name), filepath.Join(t.TempDir(), name))
	if name == "failing-test" {
		// A failing step is never cached, and BuildKit runs identical steps
		// of builds that run at the same time once, for one of them: the
		// test output and the error's Stagefile location then reach that
		// build only. Each copy gets a test file of its own.
		appendFile(t, filepath.Join(dir, "src", "greet.test.js"), fmt.Sprintf("// copy %d\n", unique()))
	}
	return dir
}

// newSource makes dir's source (a JavaScript file) differ from every
// earlier build's, so that its test step runs. A build that exports
// nothing and finds its result cached may show BuildKit's last step alone
// (seen after a restart of a daemon that kept its cache), not the steps
// before it that a test looks for.
func newSource(t testing.TB, dir, file string) {
	t.Helper()
	comment := "//" // JavaScript, TypeScript, Go
	if filepath.Ext(file) == ".py" {
		comment = "#"
	}
	appendFile(t, filepath.Join(dir, file), fmt.Sprintf("%s run %d\n", comment, unique()))
}

func copyDir(t testing.TB, src, dst string) string {
	t.Helper()
	assert.NilError(t, os.CopyFS(dst, os.DirFS(src)))
	return dst
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	assert.NilError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	assert.NilError(t, os.WriteFile(path, []byte(content), 0o644))
}

// cacheDir is the harness's folder: STAGEFILE_CACHE, as hack/lib.sh
// reads it (hack/up.sh writes it into .cache/run/env), else .cache.
func cacheDir(t testing.TB) string {
	if dir := os.Getenv("STAGEFILE_CACHE"); dir != "" {
		return dir
	}
	return filepath.Join(repoRoot(t), ".cache")
}

var lastUnique atomic.Int64

// unique is the clock in nanoseconds, but never a number another call in
// this test process returned: tests run in parallel, and their edits,
// references and container names must not meet.
func unique() int64 {
	for {
		last, now := lastUnique.Load(), time.Now().UnixNano()
		if now <= last {
			now = last + 1
		}
		if lastUnique.CompareAndSwap(last, now) {
			return now
		}
	}
}

// uniqueRef is a fresh image reference in the local registry.
func uniqueRef(t testing.TB, name string) string {
	return fmt.Sprintf("%s/stagefile-test/%s:%d", env.registry, name, unique())
}

var lastPort atomic.Int64

// freePort is a TCP port for a container on the host network: free when
// asked, and never handed to another test of this run.
func freePort(t testing.TB) int {
	t.Helper()
	for range 2000 {
		port := 18000 + int(lastPort.Add(1)%2000)
		if l, err := net.Listen("tcp", fmt.Sprintf(":%d", port)); err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no free port in 18000-19999")
	return 0
}

// run executes a command with a deadline and returns its combined output.
// The deadline is generous: tests run in parallel on two cores, and on a
// cold cache a two-platform build that compiles a native addon under QEMU
// took over 10 minutes among the others.
func run(t testing.TB, dir string, extraEnv []string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("$ %s %s (%.1fs)", name, strings.Join(args, " "), time.Since(start).Seconds())
	return out.String(), err
}

// buildctl builds dir's Stagefile through the dockerfile.v0 frontend, which
// finds "# syntax=" and hands the build to the Stagefile frontend image.
func buildctl(t testing.TB, dir string, args ...string) (string, error) {
	t.Helper()
	base := []string{"--addr", env.buildkit, "build", "--frontend", "dockerfile.v0",
		"--local", "context=" + dir, "--local", "dockerfile=" + dir, "--opt", "filename=Stagefile"}
	return run(t, dir, nil, "buildctl", append(base, args...)...)
}

// remoteBuilder (re)creates a buildx builder that points at our buildkitd;
// a remote builder is only that pointer, so recreating it is cheap.
func remoteBuilder(t testing.TB, name string) string {
	t.Helper()
	run(t, "", nil, "docker", "buildx", "rm", name)
	out, err := run(t, "", nil, "docker", "buildx", "create", "--name", name, "--driver", "remote", env.buildkit)
	assert.NilError(t, err, out)
	return name
}

func pushOutput(ref string) string {
	return "type=image,name=" + ref + ",push=true,registry.insecure=true"
}

// progress is a build's decoded status stream (buildctl --progress=rawjson).
type progress struct {
	vertices map[string]*client.Vertex // by digest
	order    []string
	logs     map[string]*bytes.Buffer
	warnings []string
}

func parseProgress(t testing.TB, out string) *progress {
	t.Helper()
	p := &progress{vertices: map[string]*client.Vertex{}, logs: map[string]*bytes.Buffer{}}
	// one JSON object per line; stderr's plain lines (buildctl's own
	// messages, the error at the end) are interleaved, and skipped
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var st client.SolveStatus
		if json.Unmarshal([]byte(line), &st) == nil {
			p.add(&st)
		}
	}
	return p
}

func (p *progress) add(st *client.SolveStatus) {
	for _, v := range st.Vertexes {
		d := v.Digest.String()
		if _, ok := p.vertices[d]; !ok {
			p.order = append(p.order, d)
		}
		p.vertices[d] = v
	}
	for _, w := range st.Warnings {
		p.warnings = append(p.warnings, string(w.Short))
	}
	for _, l := range st.Logs {
		d := l.Vertex.String()
		if p.logs[d] == nil {
			p.logs[d] = &bytes.Buffer{}
		}
		p.logs[d].Write(l.Data)
	}
}

// step finds the vertex whose name starts with prefix, e.g. "[test] ".
func (p *progress) step(t testing.TB, prefix string) *client.Vertex {
	t.Helper()
	var names []string
	for _, d := range p.order {
		v := p.vertices[d]
		if strings.HasPrefix(v.Name, prefix) {
			return v
		}
		names = append(names, v.Name)
	}
	t.Fatalf("no step %q in the build; steps were:\n  %s", prefix, strings.Join(names, "\n  "))
	return nil
}

func (p *progress) log(v *client.Vertex) string {
	if b := p.logs[v.Digest.String()]; b != nil {
		return b.String()
	}
	return ""
}

// summary lists every step as cached or ran, for test logs and notes.
func (p *progress) summary() string {
	var b strings.Builder
	for _, d := range p.order {
		v := p.vertices[d]
		state := "ran"
		if v.Cached {
			state = "cached"
		}
		if v.Error != "" {
			state = "error"
		}
		dur := ""
		if v.Started != nil && v.Completed != nil {
			dur = fmt.Sprintf(" %.1fs", v.Completed.Sub(*v.Started).Seconds())
		}
		fmt.Fprintf(&b, "  %-6s%s %s\n", state, dur, v.Name)
	}
	return b.String()
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	dt, err := os.ReadFile(path)
	assert.NilError(t, err)
	return string(dt)
}

func appendFile(t testing.TB, path, content string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	assert.NilError(t, err)
	defer f.Close()
	_, err = f.WriteString(content)
	assert.NilError(t, err)
}

func jsonString(v any) (string, error) {
	dt, err := json.Marshal(v)
	return string(dt), err
}
