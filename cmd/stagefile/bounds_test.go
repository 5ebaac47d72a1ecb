package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/internal/bounded"
)

// hostileBudget is what reading one hostile context may cost the CLI
// and the frontend alike (they read through the same code). Allocations
// are the bound docs/stagefile.md states; the time bound is ten times
// what a quiet 2-core machine takes (each case well under 1 s there), so
// a test run beside others does not fail on time, while a parser gone
// quadratic again (the 62 s of the pnpm lockfile before) does.
var hostileBudget = bounded.Budget{Time: 10 * time.Second, Bytes: 300 << 20}

// TestHostileContextBounds: contexts built to exhaust the presets' memory
// are refused within the budget, with a message of bounded length that
// names the file.
func TestHostileContextBounds(t *testing.T) {
	many := func(prefix string, n int, item, sep, suffix string) string {
		var b strings.Builder
		b.WriteString(prefix)
		for i := range n {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(item)
		}
		b.WriteString(suffix)
		return b.String()
	}
	pkg := `{"name": "x", "scripts": {"start": "node s.js", "test": "node --test"}}`
	for _, tc := range []struct {
		name  string
		files map[string]string
		// sparse: files of this size made by truncation (no bytes on disk)
		sparse map[string]int64
		want   string
	}{
		{name: "pnpm lockfile of a 63 MiB list", files: map[string]string{
			"package.json": `{"name": "x", "packageManager": "pnpm@10.34.8"}`, "pnpm-lock.yaml": many("lockfileVersion: '9.0'\nx: [", 31<<20, "a", ",", "]\n")},
			want: "pnpm-lock.yaml holds about"},
		{name: "pnpm workspace file of 16 MB", files: map[string]string{
			"package.json": pkg, "pnpm-lock.yaml": "lockfileVersion: '9.0'\n", "pnpm-workspace.yaml": many("packages: [", 8<<20, "a", ",", "]\n")},
			want: "pnpm-workspace.yaml holds about"},
		{name: "pyproject with a 30-million-item array", files: map[string]string{
			"pyproject.toml": many("[project]\nname = \"x\"\ndependencies = [", 30<<20, "1", ",", "]\n"), "uv.lock": "version = 1\n"},
			want: "holds about"},
		{name: "forty sparse 63 MiB Go files", files: map[string]string{"go.mod": "module x\n\ngo 1.22\n"},
			sparse: func() map[string]int64 {
				m := map[string]int64{}
				for i := range 40 {
					m[filepath.Join("cmd", "x", strings.Repeat("a", i+1)+".go")] = 63 << 20
				}
				return m
			}(), want: "more than 134217728 bytes in all"},
		{name: "a 62 MB .nvmrc", files: map[string]string{"package.json": pkg, "package-lock.json": `{"lockfileVersion": 3, "packages": {"": {}}}`,
			".nvmrc": strings.Repeat("v", 62<<20)}, want: ".nvmrc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			preset := "node"
			for name, content := range tc.files {
				assert.NilError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755))
				assert.NilError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
				if strings.HasSuffix(name, ".toml") {
					preset = "python"
				}
				if name == "go.mod" {
					preset = "go"
				}
			}
			for name, size := range tc.sparse {
				assert.NilError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755))
				f, err := os.Create(filepath.Join(dir, name))
				assert.NilError(t, err)
				assert.NilError(t, f.Truncate(size))
				f.Close()
			}
			assert.NilError(t, os.WriteFile(filepath.Join(dir, "Stagefile"), []byte("version: 1\npreset: "+preset+"\nimage: x:1\napp: .\n"), 0o644))
			var code int
			var stderr bytes.Buffer
			bounded.Run(t, hostileBudget, func() {
				code = runCLI(t.Context(), []string{"plan", filepath.Join(dir, "Stagefile")}, &bytes.Buffer{}, &stderr)
			})
			assert.Check(t, is.Equal(code, 1))
			assert.Check(t, is.Contains(stderr.String(), tc.want))
			assert.Check(t, stderr.Len() < 4<<10, "a %d-byte error", stderr.Len())
		})
	}
}
