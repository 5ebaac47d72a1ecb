package integration

import (
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestCRLFYarnLock: a yarn classic app checked out on Windows (git
// autocrlf: CRLF line ends in yarn.lock and package.json) builds with
// preset node, as yarn itself reads it.
func TestCRLFYarnLock(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-yarn")
	newSource(t, dir, "src/app.js")
	for _, f := range []string{"yarn.lock", "package.json"} {
		p := filepath.Join(dir, f)
		writeFile(t, p, strings.ReplaceAll(readFile(t, p), "\n", "\r\n"))
	}
	writeFile(t, filepath.Join(dir, "Stagefile"), "# syntax="+env.frontend+"\r\nversion: 1\r\npreset: node\r\nimage: node:20-bookworm-slim\r\nbuild:\r\n  outputs: [build]\r\n")
	out, err := buildctl(t, dir, "--progress=plain")
	assert.NilError(t, err, tail(out, 30))
	assert.Check(t, is.Contains(out, "[dependencies] yarn install --frozen-lockfile --production --non-interactive"))
	assert.Check(t, is.Contains(out, "[test] yarn test"))
}

// TestReleaseMinimalRules: settings that would ship more than the release
// should fail before anything runs, pointing at their line.
func TestReleaseMinimalRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body, want string }{
		{"workdir /", "workdir: /\n", `Stagefile:5:10: workdir / holds the image's own files`},
		{"outputs *", "build:\n  outputs: [\"*\"]\n", `Stagefile:6:13: "*" would ship every file of workdir`},
		{"secret ..", "secrets:\n  - id: \"..\"\n", `Stagefile:6:9: invalid secret id ".."`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := example(t, "failing-test")
			writeFile(t, filepath.Join(dir, "Stagefile"), "# syntax="+env.frontend+"\nversion: 1\nimage: node:20-bookworm-slim\n\n"+tc.body)
			out, err := buildctl(t, dir, "--progress=plain")
			assert.Assert(t, err != nil, out)
			assert.Check(t, is.Contains(out, tc.want))
			assert.Check(t, !strings.Contains(out, "[dependencies]"), "something ran")
		})
	}
}
