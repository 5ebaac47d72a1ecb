package main

import (
	"os"
	"path/filepath"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestReadsContextAsTheFrontend: the CLI applies the Stagefile's own
// ignore file before the context's .dockerignore, as dockerui does, so
// `stagefile plan` shows the package manager the build will run.
func TestReadsContextAsTheFrontend(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		assert.NilError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("package.json", `{"name": "x", "main": "server.js", "dependencies": {}}`)
	write("package-lock.json", `{"name": "x", "lockfileVersion": 3, "requires": true, "packages": {"": {"name": "x"}}}`)
	write("yarn.lock", "# yarn lockfile v1\n\n")
	write("Stagefile", "version: 1\npreset: node\nimage: node:20-bookworm-slim\ntest:\n  run: node --test\n")
	f := filepath.Join(dir, "Stagefile")

	write(".dockerignore", "package-lock.json\n")
	code, out, stderr := cli("plan", f)
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, is.Contains(out, "yarn install"))

	// Stagefile.dockerignore wins over .dockerignore
	write("Stagefile.dockerignore", "yarn.lock\n")
	code, out, stderr = cli("plan", f)
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, is.Contains(out, "npm ci"))
}

// TestStagefileSymlinkRefused: a Stagefile that links out of its folder
// is not followed (BuildKit would not either), and nothing it points at
// is echoed.
func TestStagefileSymlinkRefused(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(t.TempDir(), "environ")
	assert.NilError(t, os.WriteFile(secret, []byte("TOKEN=s3cr3t\n"), 0o600))
	assert.NilError(t, os.Symlink(secret, filepath.Join(dir, "Stagefile")))
	code, out, stderr := cli("check", filepath.Join(dir, "Stagefile"))
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, !is.Contains(out+stderr, "s3cr3t")().Success(), out+stderr)
	assert.Check(t, is.Contains(stderr, "escapes"), stderr)
}
