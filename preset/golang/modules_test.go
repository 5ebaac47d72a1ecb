package golang

import (
	"os"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestModules reads the test binary itself (go test records no
// dependencies in it; the integration test reads a real release's).
func TestModules(t *testing.T) {
	f, err := os.Open(os.Args[0])
	assert.NilError(t, err)
	defer f.Close()
	pkgs, ok := Modules(f)
	assert.Assert(t, ok)
	assert.Check(t, is.Equal(pkgs[0].Name, "stdlib"))
	assert.Check(t, strings.HasPrefix(pkgs[0].Version, "go1."), pkgs[0].Version)
	_, ok = Modules(io0{})
	assert.Check(t, !ok)
}

type io0 struct{}

func (io0) ReadAt(p []byte, off int64) (int, error) { return 0, os.ErrNotExist }
