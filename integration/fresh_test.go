package integration

import (
	"path/filepath"
	"testing"

	"gotest.tools/v3/assert"

	"github.com/stagefile/stagefile/internal/daemon"
)

// freshDaemon starts a buildkitd with an empty root, as a CI runner has
// on every job: same registry and mirrors as the shared one, nothing in
// its cache. It is stopped, and its root removed, when the test ends.
func freshDaemon(t *testing.T) string {
	t.Helper()
	d, err := daemon.Start(filepath.Join(cacheDir(t), "run", "buildkitd.toml"))
	assert.NilError(t, err)
	t.Cleanup(d.Stop)
	return d.Addr
}

// buildctlOn is buildctl (through "# syntax=") against the daemon at addr.
func buildctlOn(t *testing.T, addr, dir string, args ...string) (string, error) {
	t.Helper()
	base := []string{"--addr", addr, "build", "--frontend", "dockerfile.v0",
		"--local", "context=" + dir, "--local", "dockerfile=" + dir, "--opt", "filename=Stagefile"}
	return run(t, dir, nil, "buildctl", append(base, args...)...)
}
