package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	digest "github.com/opencontainers/go-digest"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/llb"
)

func examples(t *testing.T) []string {
	files, err := filepath.Glob("../../examples/*/Stagefile")
	assert.NilError(t, err)
	for _, app := range []string{"apps", "packages"} { // a workspace's apps
		more, _ := filepath.Glob("../../examples/*/" + app + "/*/Stagefile")
		files = append(files, more...)
	}
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
	// an app of a uv workspace, its context found from "app": each path
	// of its scope says why
	_, out, _ = cli("plan", "../../examples/python-uv-workspace/packages/api/Stagefile")
	assert.Check(t, is.Contains(out, "scope: workspace"))
	assert.Check(t, is.Contains(out, "- packages/shared                       # preset python: uv.lock: acme-api → acme-shared, the workspace member in packages/shared"))
	assert.Check(t, !strings.Contains(out, "- packages/worker  "), "the member the api does not use")
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

// TestLLBFromStoredPlan: `llb --plan` of what `plan --format json` wrote
// prints every target as `llb` of the Stagefile does, or fails as it
// fails (node-distroless: without a daemon no image tells the release
// user, and the writable folders need one).
func TestLLBFromStoredPlan(t *testing.T) {
	for _, f := range examples(t) {
		code, out, stderr := cli("plan", "--format", "json", f)
		assert.Assert(t, is.Equal(code, 0), "%s: %s", f, stderr)
		stored := filepath.Join(t.TempDir(), "plan.json")
		assert.NilError(t, os.WriteFile(stored, []byte(out), 0o644))
		for _, target := range llb.Targets {
			wantCode, want, wantErr := cli("llb", "--target", target.Name, f)
			code, got, stderr := cli("llb", "--plan", stored, "--target", target.Name)
			assert.Check(t, is.Equal(code, wantCode), "%s --target %s", f, target.Name)
			assert.Check(t, is.Equal(stderr, wantErr), "%s --target %s", f, target.Name)
			if code == 0 && wantCode == 0 {
				assert.Check(t, is.DeepEqual(ops(t, got), ops(t, want)), "%s --target %s", f, target.Name)
			}
		}
	}
}

// ops are a printed definition's ops and their metadata, which its
// protobuf encoding orders randomly.
func ops(t *testing.T, printed string) []string {
	def, err := bk.ReadFrom(strings.NewReader(printed))
	assert.NilError(t, err)
	var out []string
	for _, dt := range def.Def {
		md, err := json.Marshal(def.Metadata[digest.FromBytes(dt)])
		assert.NilError(t, err)
		out = append(out, string(dt)+string(md))
	}
	return out
}

// TestLLBPlanUsage: a stored plan is resolved already; what would resolve
// it again is refused, and a broken plan says what is wrong.
func TestLLBPlanUsage(t *testing.T) {
	yarn := "../../examples/node-yarn/Stagefile"
	_, out, _ := cli("plan", "--format", "json", yarn)
	stored := filepath.Join(t.TempDir(), "plan.json")
	assert.NilError(t, os.WriteFile(stored, []byte(out), 0o644))
	for _, args := range [][]string{
		{"llb", "--plan", stored, yarn},
		{"llb", yarn, "--plan", stored},
		{"llb", "--plan", stored, "--context", "."},
		{"llb", "--plan", stored, "--build-arg", "X=1"},
	} {
		code, _, stderr := cli(args...)
		assert.Check(t, is.Equal(code, 2), "%v", args)
		assert.Check(t, is.Contains(stderr, "--plan is a resolved build: give no Stagefile, --context or --build-arg with it"), "%v", args)
	}

	other := filepath.Join(t.TempDir(), "plan.json")
	assert.NilError(t, os.WriteFile(other, []byte(strings.Replace(out, `"version": 1`, `"version": 2`, 1)), 0o644))
	code, _, stderr := cli("llb", "--plan", other)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, other+": stored plan: version 2, and this stagefile reads version 1"))

	code, _, stderr = cli("llb", "--plan", "/dev/zero")
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "more than a stored plan may have"))
}
