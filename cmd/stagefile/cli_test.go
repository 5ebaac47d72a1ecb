package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

func examples(t *testing.T) []string {
	files, err := filepath.Glob("../../examples/*/Stagefile")
	assert.NilError(t, err)
	more, _ := filepath.Glob("../../examples/*/apps/*/Stagefile")
	files = append(files, more...)
	assert.Assert(t, len(files) >= 6)
	return files
}

func cli(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := runCLI(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestCheckExamples: every example resolves, its preset applied (a
// workspace app's context found from its "app").
func TestCheckExamples(t *testing.T) {
	for _, f := range examples(t) {
		code, _, stderr := cli("check", f)
		assert.Check(t, is.Equal(code, 0), "%s: %s", f, stderr)
	}
}

// TestPlanExamples: `stagefile plan` prints every example's resolved
// build, in YAML and in JSON, with the origin of each value.
func TestPlanExamples(t *testing.T) {
	for _, f := range examples(t) {
		code, out, stderr := cli("plan", f)
		assert.Check(t, is.Equal(code, 0), "%s: %s", f, stderr)
		assert.Check(t, is.Contains(out, "release:"))
		code, out, stderr = cli("plan", "--format", "json", f)
		assert.Check(t, is.Equal(code, 0), "%s: %s", f, stderr)
		var v map[string]any
		assert.Check(t, json.Unmarshal([]byte(out), &v), "%s: %s", f, out)
	}
	_, out, _ := cli("plan", "../../examples/node-npm/Stagefile")
	assert.Check(t, is.Contains(out, "production: npm ci --omit=dev --no-audit --no-fund"))
	assert.Check(t, is.Contains(out, "# preset node: package-lock.json → npm"))
	// no image written: derived from engines.node, and said so
	_, out, _ = cli("plan", "../../examples/node-distroless/Stagefile")
	assert.Check(t, is.Contains(out, "image: node:20-slim                         # preset node: the newest LTS line (20) that package.json engines.node ^20.11 accepts"))
	_, out, _ = cli("plan", "--build-arg", "X=1", "../../examples/node-distroless/Stagefile")
	assert.Check(t, is.Contains(out, "release:"))
}

func TestCheckReportsPosition(t *testing.T) {
	f := filepath.Join(t.TempDir(), "Stagefile")
	assert.NilError(t, os.WriteFile(f, []byte("version: 1\nimage: node:20\nbuild:\n  outputs: [/abs]\n"), 0o644))
	code, _, stderr := cli("check", f)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, f+`:4:13: "/abs" is absolute`))
}

// TestFlagsAnywhere: flags after the file count; extra arguments are
// refused, never ignored.
func TestFlagsAnywhere(t *testing.T) {
	yarn := "../../examples/node-yarn/Stagefile"
	for _, args := range [][]string{
		{"llb", "-target", "test", yarn},
		{"llb", yarn, "-target", "test"},
		{"llb", yarn, "--target=test"},
	} {
		code, out, stderr := cli(args...)
		assert.Check(t, is.Equal(code, 0), "%v: %s", args, stderr)
		assert.Check(t, is.Contains(out, "yarn run test"), "%v", args)
		assert.Check(t, !strings.Contains(out, "[release] assemble image"), "%v printed the release", args)
	}
	code, _, stderr := cli("llb", yarn, "other/Stagefile")
	assert.Check(t, is.Equal(code, 2))
	assert.Check(t, is.Contains(stderr, "one Stagefile at a time, not 2"))
	code, _, stderr = cli("llb", "-target", "nope", yarn)
	assert.Check(t, is.Equal(code, 2))
	assert.Check(t, is.Contains(stderr, `unknown target "nope"`))
	code, _, stderr = cli("plan", "--format", "toml", yarn)
	assert.Check(t, is.Equal(code, 2))
	assert.Check(t, is.Contains(stderr, `unknown format "toml"`))
}

// TestCheckBoundedRead: a file that never ends is refused, not read whole.
func TestCheckBoundedRead(t *testing.T) {
	code, _, stderr := cli("check", "/dev/zero")
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "more than a Stagefile may have"))
}

// TestLLBIsGated: the printed release requires the tests.
func TestLLBIsGated(t *testing.T) {
	code, out, stderr := cli("llb", "../../examples/node-yarn/Stagefile")
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, is.Contains(out, "stagefile.tests-passed"))
	assert.Check(t, is.Contains(out, "yarn run test"))
}

func TestUnknownCommand(t *testing.T) {
	code, _, stderr := cli("bulid")
	assert.Check(t, is.Equal(code, 2))
	assert.Check(t, is.Contains(stderr, `unknown command "bulid"`))
}
