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

// TestReadHeads: a file is read up to the limit, however large; the
// ignore file and the folder's bounds hold as for ReadFiles.
func TestReadHeads(t *testing.T) {
	dir := t.TempDir()
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = 'x'
	}
	assert.NilError(t, os.WriteFile(filepath.Join(dir, "server.js"), big, 0o644))
	assert.NilError(t, os.WriteFile(filepath.Join(dir, "hidden.js"), []byte("listen(1)"), 0o644))
	assert.NilError(t, os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("hidden.js\n"), 0o644))
	assert.NilError(t, os.Symlink("/etc/passwd", filepath.Join(dir, "out.js")))
	files, err := ReadHeads(dir, []string{"server.js", "hidden.js", "out.js", "missing.js", "*.js"}, 100)
	assert.NilError(t, err)
	assert.Check(t, is.Len(files, 1))
	assert.Check(t, is.Len(files["server.js"], 100))
}
