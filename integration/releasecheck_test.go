package integration

import (
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestReleaseCheck: an app whose tests pass but that crashes at start (it
// creates a folder next to itself as its unprivileged user) fails the
// release target with its own error and the line that fixes it; with that
// line (release.writable) it builds. Other targets build either way.
func TestReleaseCheck(t *testing.T) {
	t.Parallel()
	dir := fixture(t, "crash-at-start")
	out, err := buildctl(t, dir, "--progress=plain")
	assert.Assert(t, err != nil, "a release that crashes at start was built:\n%s", tail(out, 30))
	assert.Check(t, is.Contains(out, "[release] start check: node server.js keeps running for 3s, no network"))
	assert.Check(t, is.Contains(out, "EACCES: permission denied, mkdir 'logs'"))
	assert.Check(t, is.Contains(out, "list the folder it writes under release.writable"))
	assert.Check(t, is.Contains(out, "Stagefile:"), "the error points at the Stagefile")

	out, err = buildctl(t, dir, "--progress=plain", "--opt", "target=build")
	assert.NilError(t, err, "the build target does not start the app:\n%s", tail(out, 20))
	assert.Check(t, !strings.Contains(out, "start check"))

	stagefile := filepath.Join(dir, "Stagefile")
	writeFile(t, stagefile, strings.Replace(readFile(t, stagefile), "  expose: [8080]\n", "  expose: [8080]\n  writable: [logs]\n", 1))
	newSource(t, dir, "server.js") // so the check runs, whatever an earlier run left cached
	out, err = buildctl(t, dir, "--progress=plain")
	assert.NilError(t, err, tail(out, 30))
	assert.Check(t, is.Contains(out, "kept running for 3s"))

	// release.check: false is the opt-out
	writeFile(t, stagefile, strings.Replace(readFile(t, stagefile), "  writable: [logs]\n", "  check: false\n", 1))
	out, err = buildctl(t, dir, "--progress=plain")
	assert.NilError(t, err, tail(out, 30))
	assert.Check(t, !strings.Contains(out, "start check"))
}
