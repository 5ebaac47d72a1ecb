package node

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestPortableCheck runs the cross-install check with this machine's node
// on node_modules trees of npm's, yarn's and pnpm's layouts.
func TestPortableCheck(t *testing.T) {
	node, err := exec.LookPath("node")
	assert.NilError(t, err, "the check is a node script: install Node.js (hack/tools.sh does)")
	check := func(files map[string]string) string { return runPortable(t, node, portableScript, files) }
	pure := `{"name": "express", "scripts": {"test": "mocha"}}`
	assert.Check(t, is.Equal(check(map[string]string{
		"package.json":                               `{}`,
		"node_modules/express/package.json":          pure,
		"node_modules/@babel/core/package.json":      pure,
		"node_modules/a/node_modules/b/package.json": pure,
		"node_modules/.bin/x/package.json":           `{"scripts": {"install": "x"}}`, // not a package
	}), ""))
	reasons := check(map[string]string{
		"node_modules/a/node_modules/bcrypt/package.json":                     `{"scripts": {"install": "node-pre-gyp install"}}`,
		"node_modules/.pnpm/esbuild@0.24.0/node_modules/esbuild/package.json": `{"scripts": {"postinstall": "node install.js"}}`,
		"node_modules/@esbuild/linux-x64/package.json":                        `{"os": ["linux"], "cpu": ["x64"]}`,
		"node_modules/gyp/package.json":                                       `{}`,
		"node_modules/gyp/binding.gyp":                                        `{}`,
		"apps/api/node_modules/sharp/package.json":                            `{"scripts": {"preinstall": "x"}}`,
		"packages/tools/cli/node_modules/canvas/package.json":                 `{}`, // a workspace two folders down
		"packages/tools/cli/node_modules/canvas/binding.gyp":                  `{}`,
	})
	for _, want := range []string{
		"node_modules/a/node_modules/bcrypt runs an install script",
		"node_modules/.pnpm/esbuild@0.24.0/node_modules/esbuild runs a postinstall script",
		"node_modules/@esbuild/linux-x64 is for linux, x64 only",
		"node_modules/gyp builds a native addon (binding.gyp)",
		"apps/api/node_modules/sharp runs a preinstall script",
		"packages/tools/cli/node_modules/canvas builds a native addon (binding.gyp)",
	} {
		assert.Check(t, strings.Contains(reasons, want), "%q not in:\n%s", want, reasons)
	}
}

// TestPortableCheckBun: the check of bun's installs also walks bun's
// isolated store, which bun lays out for workspaces.
func TestPortableCheckBun(t *testing.T) {
	node, err := exec.LookPath("node")
	assert.NilError(t, err, "the check is a node script: install Node.js (hack/tools.sh does)")
	assert.Assert(t, bunPortableScript != portableScript)
	files := map[string]string{
		"node_modules/.bun/sharp@0.34.0/node_modules/sharp/package.json": `{"scripts": {"install": "node install/check"}}`,
		"node_modules/.bun/hono@4.6.0/node_modules/hono/package.json":    `{"name": "hono"}`,
	}
	assert.Check(t, is.Equal(runPortable(t, node, bunPortableScript, files), "node_modules/.bun/sharp@0.34.0/node_modules/sharp runs an install script"))
	assert.Check(t, is.Equal(runPortable(t, node, portableScript, files), ""), "the others' check is unchanged")
}

// runPortable runs a cross-install check on a tree of files.
func runPortable(t *testing.T, node, script string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		assert.NilError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		assert.NilError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	out := filepath.Join(t.TempDir(), "reasons")
	cmd := exec.Command(node, "-e", script, out)
	cmd.Dir = dir
	b, err := cmd.CombinedOutput()
	assert.NilError(t, err, string(b))
	dt, err := os.ReadFile(out)
	assert.NilError(t, err)
	return string(dt)
}
