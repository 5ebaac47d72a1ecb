package contextdir

import (
	"os"
	"path/filepath"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestWildcards: a wildcard name gives the regular files it matches,
// .dockerignore applied, nothing outside the folder.
func TestWildcards(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"go.mod": "module x\n", "main.go": "package main\n", "cmd/api/main.go": "package main\n",
		"cmd/api/api_test.go": "package main\n", "cmd/tool/main.go": "package main\n", "cmd/secret/main.go": "package main\n",
		".dockerignore": "cmd/secret\n",
	} {
		assert.NilError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755))
		assert.NilError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	assert.NilError(t, os.Mkdir(filepath.Join(dir, "cmd", "dir.go"), 0o755))
	assert.NilError(t, os.Symlink("/etc", filepath.Join(dir, "cmd", "escape")))
	files, err := ReadFiles(dir, []string{"go.mod", "*.go", "cmd/*/*.go", "cmd/escape/*"})
	assert.NilError(t, err)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	assert.Check(t, is.Len(names, 5))
	for _, n := range []string{"go.mod", "main.go", "cmd/api/main.go", "cmd/api/api_test.go", "cmd/tool/main.go"} {
		assert.Check(t, files[n] != nil, "%s missing", n)
	}
}
