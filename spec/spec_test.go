package spec

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

const minimal = "# syntax=docker.io/stagefile/stagefile:1\nversion: 1\nimage: node:20-bookworm-slim\n"

// TestBadInput: every kind of bad input gives an error naming the line, the
// column and the fix.
func TestBadInput(t *testing.T) {
	cases := []struct {
		name      string
		src       string
		line, col int
		msg       string
	}{
		{"empty file", "", 1, 1, "the Stagefile is empty"},
		{"only comments", "# syntax=x\n# nothing else\n", 1, 1, "the Stagefile is empty"},
		{"not a mapping", "- version: 1\n", 1, 1, "the Stagefile must be a mapping"},
		{"invalid yaml", minimal + "test:\n  run: [yarn test\n", 5, 8, "invalid YAML: sequence end token ']' not found"},
		{"tab indentation", minimal + "test:\n\trun: x\n", 5, 1, "indent with spaces"},
		{"duplicate top-level key", minimal + "image: node:22\n", 4, 1, `duplicate key`},
		{"duplicate nested key", minimal + "test:\n  run: a\n  run: b\n", 6, 3, `duplicate key`},
		{"two documents", minimal + "---\nversion: 1\n", 5, 1, "only one YAML document"},
		{"unknown key with suggestion", minimal + "tset:\n  run: x\n", 4, 1, `unknown key "tset" in the Stagefile (did you mean "test"?`},
		{"unknown nested key", minimal + "test:\n  command: x\n", 5, 3, `unknown key "command" in "test"`},
		{"missing version", "image: node:20\n", 1, 1, `missing "version" (add "version: 1"`},
		{"unsupported version", "version: 2\nimage: node:20\n", 1, 10, "unsupported version 2"},
		{"version not a number", "version: one\nimage: node:20\n", 1, 10, `"version" must be a whole number, not the string "one"`},
		{"missing image", "version: 1\n", 1, 1, `missing "image"`},
		{"image is a list", "version: 1\nimage: [node]\n", 2, 8, `"image" must be a string, not a list`},
		{"bad image reference", "version: 1\nimage: Node:20\n", 2, 8, `invalid image reference "Node:20"`},
		{"relative workdir", minimal + "workdir: app\n", 4, 10, `"app" must be an absolute path in the image (write "/app")`},
		{"absolute manifest", minimal + "dependencies:\n  manifests: [/package.json]\n", 5, 15, `"/package.json" is absolute`},
		{"manifest escapes context", minimal + "dependencies:\n  manifests:\n    - ../package.json\n", 6, 7, `"../package.json" escapes the build context`},
		{"manifest listed twice", minimal + "dependencies:\n  manifests: [package.json, ./package.json]\n", 5, 29, "listed twice"},
		{"empty install command", minimal + "dependencies:\n  manifests: [package.json]\n  production: \"\"\n", 6, 15, `"dependencies.production" is empty (write the shell command to run, or remove the key)`},
		{"installs without manifests", minimal + "dependencies:\n  production: npm ci\n", 5, 3, `dependency installs need "manifests"`},
		{"relative cache path", minimal + "dependencies:\n  caches: [.npm]\n", 5, 12, `cache path ".npm" must be absolute`},
		{"bad cache sharing", minimal + "dependencies:\n  caches:\n    - {path: /root/.npm, sharing: yes}\n", 6, 35, `unknown sharing "yes"`},
		{"test without run", minimal + "test:\n  reports: [junit.xml]\n", 5, 3, `test needs "run"`},
		{"blank test command", minimal + "test:\n  run: \"   \"\n", 5, 8, `"test.run" is empty`},
		{"test run is a list", minimal + "test:\n  run: [a]\n", 5, 8, `"test.run" must be a string, not a list`},
		{"report escapes workdir", minimal + "test:\n  run: x\n  reports: [../junit.xml]\n", 6, 13, `"../junit.xml" escapes workdir`},
		{"output is the whole workdir", minimal + "build:\n  run: x\n  outputs: [.]\n", 6, 13, `an output of "." would ship the whole workdir`},
		{"absolute output", minimal + "build:\n  run: x\n  outputs: [/app/build]\n", 6, 13, `"/app/build" is absolute`},
		{"entrypoint as a string", minimal + "release:\n  entrypoint: node server.js\n", 5, 15, `must be a list, not the string "node server.js" (write it as a list`},
		{"port out of range", minimal + "release:\n  expose: [80, 70000]\n", 5, 16, `invalid port "70000"`},
		{"bad port protocol", minimal + "release:\n  expose: [53/icmp]\n", 5, 12, `invalid protocol "icmp"`},
		{"bad env name", minimal + "release:\n  env:\n    1BAD: x\n", 6, 5, `invalid environment variable name "1BAD"`},
		{"env not a mapping", minimal + "env: [A=1]\n", 4, 6, `"env" must be a mapping of keys to values, not a list`},
		{"secret without id", minimal + "secrets:\n  - target: .npmrc\n", 5, 5, `a secret needs an "id"`},
		{"secret declared twice", minimal + "secrets:\n  - id: npmrc\n  - id: npmrc\n", 6, 9, `secret "npmrc" is declared twice`},
		{"secret escapes workdir", minimal + "secrets:\n  - id: npmrc\n    target: ../.npmrc\n", 6, 13, `"../.npmrc" escapes workdir`},
		{"required not a bool", minimal + "secrets:\n  - id: npmrc\n    required: maybe\n", 6, 15, `"secrets[0].required" must be true or false`},
		{"unknown preset", minimal + "preset: ruby\n", 4, 9, `unknown preset "ruby" (the presets are: node)`},
		{"merge key", minimal + "x: &x {run: a}\ntest:\n  <<: *x\n", 4, 1, `unknown key "x"`},
		{"unknown alias", minimal + "test:\n  run: *nope\n", 5, 8, `unknown alias "nope" (define the anchor &nope before using it)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _, err := Parse("Stagefile", []byte(tc.src))
			assert.Assert(t, s == nil)
			assert.Assert(t, err != nil)
			var first *Error
			var list Errors
			if errors.As(err, &list) {
				first = list[0]
			} else {
				assert.Assert(t, errors.As(err, &first), "error %T is not positioned", err)
			}
			assert.Check(t, is.Equal(first.File, "Stagefile"))
			assert.Check(t, is.Equal(first.Range.Start.Line, tc.line), "error: %v", err)
			assert.Check(t, is.Equal(first.Range.Start.Column, tc.col), "error: %v", err)
			assert.Check(t, is.Contains(err.Error(), tc.msg))
			prefix := fmt.Sprintf("Stagefile:%d:%d: ", tc.line, tc.col)
			assert.Check(t, strings.HasPrefix(err.Error(), prefix), "%q does not start with %q", err.Error(), prefix)
		})
	}
}

// TestAllErrorsAtOnce: validation reports every problem, not the first.
func TestAllErrorsAtOnce(t *testing.T) {
	_, _, err := Parse("Stagefile", []byte("version: 1\nimage: node:20\nworkdir: app\nrelease:\n  expose: [0]\n"))
	var list Errors
	assert.Assert(t, errors.As(err, &list))
	assert.Check(t, is.Len(list, 2))
}

func TestWarnings(t *testing.T) {
	_, warnings, err := Parse("Stagefile", []byte(minimal+"dependencies:\n  manifests: [package.json, .npmrc]\n  production: npm ci --omit=dev\n"))
	assert.NilError(t, err)
	assert.Assert(t, is.Len(warnings, 1))
	assert.Check(t, is.Equal(warnings[0].Range.Start.Line, 5))
	assert.Check(t, is.Contains(warnings[0].Msg, `declare it under "secrets"`))
}

func TestParseFull(t *testing.T) {
	src := minimal + `workdir: /srv/app
env: {CI: true}
dependencies:
  manifests: [package.json, yarn.lock]
  production: yarn install --frozen-lockfile --production
  development: yarn install --frozen-lockfile
  caches:
    - /usr/local/share/.cache/yarn
    - {path: /root/.cache, id: shared-cache, sharing: locked}
secrets:
  - id: npmrc
  - id: token
    env: NPM_TOKEN
    required: true
test:
  run: |
    yarn lint
    yarn test
  reports: [reports/junit.xml]
build:
  run: yarn build
  outputs: [build]
release:
  image: gcr.io/distroless/nodejs20-debian12
  env: {NODE_ENV: production, PORT: 8080}
  expose: [8080, 9090/udp]
  user: "1000:1000"
  entrypoint: [node]
  cmd: [build/server.js]
  labels: {org.opencontainers.image.source: https://example.com/repo}
`
	s, warnings, err := Parse("Stagefile", []byte(src))
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.Equal(s.Workdir, "/srv/app"))
	assert.Check(t, is.DeepEqual(s.Env, map[string]string{"CI": "true"}))
	assert.Check(t, is.DeepEqual(s.Dependencies.Caches, []Cache{
		{Path: "/usr/local/share/.cache/yarn"},
		{Path: "/root/.cache", ID: "shared-cache", Sharing: "locked"},
	}))
	assert.Check(t, is.DeepEqual(s.Secrets, []Secret{{ID: "npmrc", Target: "npmrc"}, {ID: "token", Env: "NPM_TOKEN", Required: true}}))
	assert.Check(t, is.Equal(s.SecretTarget(s.Secrets[0]), "/srv/app/npmrc"))
	assert.Check(t, is.Equal(s.Test.Run, "yarn lint\nyarn test\n"))
	assert.Check(t, is.DeepEqual(s.Release.Expose, []string{"8080", "9090/udp"}))
	assert.Check(t, is.Equal(s.Release.Env["PORT"], "8080"))
	assert.Check(t, is.Equal(s.Release.Labels["org.opencontainers.image.source"], "https://example.com/repo"))

	// positions: a block scalar's span covers its lines
	span := s.Span("test.run")
	assert.Check(t, is.Equal(span.Start.Line, 19))
	assert.Check(t, is.Equal(span.EndLine, 21))
	assert.Check(t, is.Equal(s.Span("test").Start.Line, 18))
	assert.Check(t, is.Equal(s.Span("test").EndLine, 22))
	assert.Check(t, is.Equal(s.Where("release.expose[1]").Start, Pos{Line: 29, Column: 18}))
}

func TestDefaults(t *testing.T) {
	s, _, err := Parse("Stagefile", []byte(minimal))
	assert.NilError(t, err)
	assert.Check(t, is.Equal(s.Workdir, DefaultWorkdir))
	assert.Check(t, is.Equal(s.Release.Image, s.Image))
	assert.Check(t, is.Equal(s.App, "."))
	// a value nobody wrote is placed at its nearest written parent
	assert.Check(t, is.Equal(s.Where("release.image").Start.Line, 1))
}

// FuzzParse: no input makes Parse panic, and every error is positioned.
func FuzzParse(f *testing.F) {
	f.Add(minimal + "test:\n  run: yarn test\n")
	f.Add("version: 1\nimage: [\n")
	f.Add("x: &a [*a]\n")
	f.Add(minimal + "release:\n  expose: [80, {a: b}]\n")
	f.Fuzz(func(t *testing.T, src string) {
		_, _, err := Parse("Stagefile", []byte(src))
		if err == nil {
			return
		}
		var list Errors
		var one *Error
		if !errors.As(err, &list) && !errors.As(err, &one) {
			t.Fatalf("unpositioned error %T: %v", err, err)
		}
	})
}
