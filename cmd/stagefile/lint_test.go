package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestCheckDirective: `stagefile check` applies the Stagefile's
// "# check=" line as the frontend does: skipped rules are not shown,
// error=true fails, and a release that would start nothing fails anyway.
func TestCheckDirective(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		assert.NilError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("package.json", `{"name": "x", "dependencies": {}}`)
	write("package-lock.json", `{"name": "x", "lockfileVersion": 3, "requires": true, "packages": {"": {"name": "x"}}}`)
	f := filepath.Join(dir, "Stagefile")
	body := "version: 1\npreset: node\nimage: node:20-bookworm-slim\ntest:\n  run: node --test\nrelease:\n  cmd: [npm, start]\n  user: root\n"

	write("Stagefile", body)
	code, _, stderr := cli("check", f)
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, is.Contains(stderr, "[PackageManagerAsPID1]"))
	assert.Check(t, is.Contains(stderr, "[RunsAsRoot]"))

	write("Stagefile", "# check=skip=PackageManagerAsPID1\n"+body)
	code, _, stderr = cli("check", f)
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, !is.Contains(stderr, "[PackageManagerAsPID1]")().Success(), stderr)
	assert.Check(t, is.Contains(stderr, "[RunsAsRoot]"))

	write("Stagefile", "# check=skip=PackageManagerAsPID1;error=true\n"+body)
	code, _, stderr = cli("check", f)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "lint violations found for rules: RunsAsRoot"))

	// no tests: the release target fails whatever "# check=" says
	write("Stagefile", "# check=skip=all\n"+strings.Replace(body, "test:\n  run: node --test\n", "", 1))
	code, _, stderr = cli("check", f)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "the release would ship untested"), stderr)

	// no start script, no main, no cmd: the release target would fail
	write("Stagefile", "# check=skip=all\nversion: 1\npreset: node\nimage: node:20-bookworm-slim\ntest:\n  none: a fixture\n")
	code, _, stderr = cli("check", f)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "the release would run its base image's own command, not the app"), stderr)
	code, _, stderr = cli("llb", "--target", "test", f)
	assert.Check(t, is.Equal(code, 0), "other targets build: %s", stderr)
}
