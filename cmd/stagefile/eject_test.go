package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestEjectExamples: every example ejects, the Dockerfile on stdout and
// what it does differently on stderr, each line of it pointing at a
// comment of the file.
func TestEjectExamples(t *testing.T) {
	for _, f := range examples(t) {
		code, out, stderr := cli("eject", f)
		assert.Check(t, is.Equal(code, 0), "%s: %s", f, stderr)
		assert.Check(t, strings.HasPrefix(out, "# syntax=docker/dockerfile:1\n"), f)
		assert.Check(t, is.Contains(out, "\nFROM "), f)
		lines := strings.Split(out, "\n")
		for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
			if l == "" {
				continue
			}
			var n int
			_, err := fmt.Sscanf(l, "eject: Dockerfile line %d:", &n)
			assert.Check(t, err, "%s: %q", f, l)
			if err == nil {
				assert.Check(t, n > 0 && n <= len(lines) && strings.HasPrefix(lines[n-1], "# eject: "), "%s: %q", f, l)
			}
		}
	}
	_, out, stderr := cli("eject", "../../examples/node-yarn/Stagefile")
	assert.Check(t, is.Contains(out, "Ejected from ../../examples/node-yarn/Stagefile"))
	assert.Check(t, is.Contains(stderr, "(MergeOp)"))
	assert.Check(t, is.Contains(out, "COPY --link --from=test [\"/.stagefile-tests-passed-*\", \"/\"]"))
}

// TestEjectRefusesWhatCheckRefuses: an invalid Stagefile ejects nothing
// and prints what `stagefile check` prints.
func TestEjectRefusesWhatCheckRefuses(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "Stagefile")
	assert.NilError(t, os.WriteFile(f, []byte("version: 1\nimage: node:20\nbuild:\n  outputs: [/abs]\nrelease:\n  expose: [99999]\n"), 0o644))
	code, _, checkErr := cli("check", f)
	assert.Check(t, is.Equal(code, 1))
	code, out, stderr := cli("eject", f)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Equal(out, ""))
	assert.Check(t, is.Equal(stderr, checkErr))
	assert.Check(t, is.Contains(stderr, f+`:4:13: "/abs" is absolute`))
	assert.Check(t, is.Contains(stderr, f+`:6:12: invalid port "99999"`))
}

// TestEjectRefusesWhatADockerfileCannotCarry: a value no Dockerfile can
// hold is an error at its line, and nothing is printed.
func TestEjectRefusesWhatADockerfileCannotCarry(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "Stagefile")
	assert.NilError(t, os.WriteFile(f, []byte("version: 1\nimage: node:20\nenv:\n  A: \"one\\ntwo\"\nsource:\n  exclude: [données]\nrelease:\n  cmd: [./app]\n"), 0o644))
	code, out, stderr := cli("eject", f)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Equal(out, ""))
	assert.Check(t, is.Contains(stderr, f+":4:3: env.A holds a line break, which a Dockerfile's ENV cannot carry"))
	assert.Check(t, is.Contains(stderr, f+":6:13: source.exclude données holds \"données\", and BuildKit's Dockerfile parser reads a flag's bytes one by one"))
}

func TestEjectFlags(t *testing.T) {
	code, out, stderr := cli("eject", "--platform", "linux/arm64", "../../examples/node-multiplatform/Stagefile")
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, is.Contains(out, "# linux/arm64.\n"))
	assert.Check(t, is.Contains(stderr, "for linux/arm64 the Stagefile installs natively on"))
	code, _, stderr = cli("eject", "--platform", "not a platform", "../../examples/node-npm/Stagefile")
	assert.Check(t, is.Equal(code, 2))
	assert.Check(t, is.Contains(stderr, "--platform"))
	code, _, stderr = cli("eject", "--build-arg", "X=1", "../../examples/node-npm/Stagefile")
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, is.Contains(stderr, "--build-arg values are not written into the Dockerfile"))
	_, out, _ = cli("help")
	assert.Check(t, is.Contains(out, "stagefile eject [--context DIR] [--platform P] [FILE] > Dockerfile"))
}

// TestEjectOwnIgnoreFile: a Stagefile.dockerignore is not what the
// Dockerfile frontend reads; eject says so.
func TestEjectOwnIgnoreFile(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "Stagefile")
	assert.NilError(t, os.WriteFile(f, []byte("version: 1\nimage: node:20\nrelease:\n  cmd: [./app]\n"), 0o644))
	assert.NilError(t, os.WriteFile(f+".dockerignore", []byte("secret.txt\n"), 0o644))
	code, out, stderr := cli("eject", f)
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, is.Contains(stderr, "Stagefile.dockerignore is not read by the Dockerfile frontend"))
	assert.Check(t, is.Contains(out, "# eject: the Stagefile's own ignore file Stagefile.dockerignore"))
}
