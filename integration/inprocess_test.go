package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/tonistiigi/fsutil"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/frontend"
	"github.com/stagefile/stagefile/internal/image"
)

// buildInProcess runs frontend.Build in this process against the real
// buildkitd: no frontend image involved, so it tests the code under edit.
// It exports the result as an OCI tarball and returns it with the progress.
func buildInProcess(t *testing.T, dir string, attrs map[string]string) (*image.Image, *progress, error) {
	t.Helper()
	ctx := context.Background()
	c, err := client.New(ctx, env.buildkit)
	assert.NilError(t, err)
	defer c.Close()

	fs, err := fsutil.NewFS(dir)
	assert.NilError(t, err)
	out := filepath.Join(t.TempDir(), "image.tar")
	frontendAttrs := map[string]string{"filename": "Stagefile"}
	for k, v := range attrs {
		frontendAttrs[k] = v
	}
	opt := client.SolveOpt{
		LocalMounts:   map[string]fsutil.FS{"context": fs, "dockerfile": fs},
		FrontendAttrs: frontendAttrs,
		Exports: []client.ExportEntry{{
			Type:   client.ExporterOCI,
			Output: func(map[string]string) (io.WriteCloser, error) { return os.Create(out) },
		}},
	}
	ch := make(chan *client.SolveStatus)
	p := &progress{vertices: map[string]*client.Vertex{}, logs: map[string]*bytes.Buffer{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for st := range ch {
			p.add(st)
		}
	}()
	_, err = c.Build(ctx, opt, "", frontend.Build, ch)
	<-done
	t.Logf("steps:\n%s", p.summary())
	if err != nil {
		return nil, p, err
	}
	return ociImage(t, out), p, nil
}

// TestInProcessRelease: the release holds the build outputs and production
// dependencies and nothing else of the build: no dev dependencies, no
// package-manager cache, no source, and the config the spec asks for.
func TestInProcessRelease(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-yarn")
	// a unique source, so the test step runs here rather than coming from cache
	appendFile(t, filepath.Join(dir, "src", "app.js"), fmt.Sprintf("// run %d\n", unique()))
	img, p, err := buildInProcess(t, dir, nil)
	assert.NilError(t, err)
	assertYarnRelease(t, img)
	testStep := p.step(t, "[test] ")
	assert.Assert(t, !testStep.Cached)
	assert.Check(t, is.Contains(p.log(testStep), "Tests:       2 passed"), "jest's output reaches the progress stream")
}

// TestInProcessFailingTest: a failing test fails the build, its output is
// in the progress stream and the error points at the Stagefile line.
func TestInProcessFailingTest(t *testing.T) {
	t.Parallel()
	for _, target := range []string{"", "build", "release", "test"} {
		t.Run("target="+target, func(t *testing.T) {
			t.Parallel()
			attrs := map[string]string{}
			if target != "" {
				attrs["target"] = target
			}
			img, p, err := buildInProcess(t, example(t, "failing-test"), attrs)
			assert.Assert(t, err != nil, "the build passed though a test fails")
			assert.Check(t, img == nil)
			assert.Check(t, is.Contains(err.Error(), `"/bin/sh -c npm test" did not complete successfully`))
			assert.Check(t, is.Contains(p.log(p.step(t, "[test] npm test")), "greet ends the sentence"))
			srcs := errdefs.Sources(err)
			assert.Assert(t, is.Len(srcs, 1))
			assert.Check(t, is.Equal(srcs[0].Info.Filename, "Stagefile"))
			assert.Check(t, is.Equal(srcs[0].Ranges[0].Start.Line, int32(10)), "points at test.run")
		})
	}
}

// TestInProcessSpecError: a bad Stagefile fails before anything runs, with
// the file, line and column.
func TestInProcessSpecError(t *testing.T) {
	t.Parallel()
	dir := example(t, "failing-test")
	writeFile(t, filepath.Join(dir, "Stagefile"), "version: 1\nimage: node:20-bookworm-slim\ntest:\n  rnu: npm test\n")
	_, _, err := buildInProcess(t, dir, nil)
	assert.Assert(t, err != nil)
	assert.Check(t, is.Contains(err.Error(), `Stagefile:4:3: unknown key "rnu" in "test" (did you mean "run"?`))
	srcs := errdefs.Sources(err)
	assert.Assert(t, is.Len(srcs, 1))
	assert.Check(t, is.Equal(srcs[0].Ranges[0].Start.Line, int32(4)))
}

// assertYarnRelease checks the node-yarn example's release image.
func assertYarnRelease(t *testing.T, img *image.Image) {
	t.Helper()
	files := filesOf(t, img)
	for _, want := range []string{"app/build/server.js", "app/build/app.js", "app/package.json", "app/node_modules/express/package.json"} {
		assert.Check(t, files[want] != nil, "%s missing from the release", want)
	}
	for _, unwanted := range []string{"app/yarn.lock", "app/node_modules/jest", "app/node_modules/@babel/core", "app/node_modules/babel-jest", "app/src", "app/.npmrc", "app/babel.config.js"} {
		assert.Check(t, files[unwanted] == nil && len(image.Under(files, unwanted)) == 0, "%s must not be in the release", unwanted)
	}
	for _, cache := range []string{"usr/local/share/.cache/yarn", "root/.npm", "root/.cache", "home/node/.cache", "tmp"} {
		assert.Check(t, is.Len(image.Under(files, cache), 0), "cache or temp files in %s", cache)
	}
	cfg := img.Config.Config
	assert.Check(t, is.Equal(cfg.User, "node"))
	assert.Check(t, is.DeepEqual(cfg.Entrypoint, []string{"node"}))
	assert.Check(t, is.DeepEqual(cfg.Cmd, []string{"build/server.js"}))
	assert.Check(t, is.Equal(cfg.WorkingDir, "/app"))
	assert.Check(t, is.Contains(cfg.ExposedPorts, "8080/tcp"))
	assert.Check(t, is.Contains(cfg.Env, "NODE_ENV=production"))
	assert.Check(t, is.Contains(cfg.Env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), "the base image's PATH is inherited")
}

// TestInProcessSkipTests: the skip switch builds an untested image, and
// says so in the progress stream; it never does so silently.
func TestInProcessSkipTests(t *testing.T) {
	t.Parallel()
	img, p, err := buildInProcess(t, example(t, "failing-test"), map[string]string{"build-arg:STAGEFILE_SKIP_TESTS": "true"})
	assert.NilError(t, err, "the failing test was not skipped")
	assert.Assert(t, img != nil)
	assert.Check(t, is.Contains(strings.Join(p.warnings, "\n"), "tests skipped: STAGEFILE_SKIP_TESTS is set, so this image is untested"))
	for _, d := range p.order {
		assert.Check(t, !strings.HasPrefix(p.vertices[d].Name, "[test] "), "the test step ran")
	}
}

// TestInProcessNamedContext: --build-context replaces an image the
// Stagefile names; here the runtime base becomes the full node image.
func TestInProcessNamedContext(t *testing.T) {
	t.Parallel()
	img, _, err := buildInProcess(t, example(t, "node-yarn"), map[string]string{
		"context:node:20-bookworm-slim": "docker-image://" + env.registry + "/library/node:20-bookworm",
	})
	assert.NilError(t, err)
	files := filesOf(t, img)
	assert.Check(t, files["usr/bin/g++"] != nil || files["usr/bin/x86_64-linux-gnu-g++-12"] != nil, "the release is not based on the named context")
	assertYarnRelease(t, img)
}
