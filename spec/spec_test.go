package spec

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/internal/bounded"
)

const minimal = "# syntax=docker.io/stagefile/stagefile:1\nversion: 1\nimage: node:20-bookworm-slim\n"

// firstError is the first positioned error of err.
func firstError(t *testing.T, err error) *Error {
	t.Helper()
	var list Errors
	var first *Error
	if errors.As(err, &list) {
		first = list[0]
	} else {
		assert.Assert(t, errors.As(err, &first), "error %T is not positioned", err)
	}
	return first
}

// TestBadInput: every kind of input the decoder refuses gives an error
// naming the line, the column and the fix.
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
		{"version overflows", "version: 9223372036854775809\n", 1, 10, `"version" is too large: 9223372036854775809`},
		{"version not a number", "version: one\nimage: node:20\n", 1, 10, `"version" must be a whole number, not the string "one"`},
		{"image is a list", "version: 1\nimage: [node]\n", 2, 8, `"image" must be a string, not a list`},
		{"test run is a list", minimal + "test:\n  run: [a]\n", 5, 8, `"test.run" must be a string, not a list`},
		{"entrypoint as a string", minimal + "release:\n  entrypoint: node server.js\n", 5, 15, `must be a list, not the string "node server.js" (write it as a list, e.g. [node, server.js])`},
		{"cmd as a string", minimal + "release:\n  cmd: gunicorn -b :5000 app:app\n", 5, 8, `(write it as a list, e.g. [gunicorn, "-b", ":5000", "app:app"])`},
		{"cmd as a shell line", minimal + "release:\n  cmd: npm start && x\n", 5, 8, `(write it as a list, e.g. [sh, "-c", "npm start && x"])`},
		{"env not a mapping", minimal + "env: [A=1]\n", 4, 6, `"env" must be a mapping of keys to values, not a list`},
		{"required not a bool", minimal + "secrets:\n  - id: npmrc\n    required: maybe\n", 6, 15, `"secrets[0].required" must be true or false`},
		{"merge key", minimal + "x: &x {run: a}\ntest:\n  <<: *x\n", 4, 1, `unknown key "x"`},
		{"unknown alias", minimal + "test:\n  run: *nope\n", 5, 8, `unknown alias "nope" (define the anchor &nope before using it)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("Stagefile", []byte(tc.src))
			assert.Assert(t, s == nil)
			assert.Assert(t, err != nil)
			first := firstError(t, err)
			assert.Check(t, is.Equal(first.File, "Stagefile"))
			assert.Check(t, is.Equal(first.Range.Start.Line, tc.line), "error: %v", err)
			assert.Check(t, is.Equal(first.Range.Start.Column, tc.col), "error: %v", err)
			assert.Check(t, is.Contains(err.Error(), tc.msg))
			prefix := fmt.Sprintf("Stagefile:%d:%d: ", tc.line, tc.col)
			assert.Check(t, strings.HasPrefix(err.Error(), prefix), "%q does not start with %q", err.Error(), prefix)
		})
	}
}

// TestHostileInput: inputs built to exhaust the parser end in a
// positioned error, each within a time and memory bound measured here.
func TestHostileInput(t *testing.T) {
	keys := func(n int) string {
		var b strings.Builder
		b.WriteString(minimal + "env:\n")
		for i := range n {
			fmt.Fprintf(&b, "  K%d: v\n", i)
		}
		return b.String()
	}
	// an alias that repeats a mapping of unknown keys: once a million errors
	bomb := minimal + "secrets:\n  - &m {u0: 1, u1: 1, u2: 1, u3: 1, u4: 1, u5: 1, u6: 1, u7: 1, u8: 1, u9: 1}\n" + strings.Repeat("  - *m\n", 99)
	// an alias that repeats a long string: once a 400 MB LLB definition
	long := minimal + "env:\n  A: &s " + strings.Repeat("x", 100<<10) + "\nrelease:\n  cmd: [" + strings.Repeat("*s, ", 20) + "]\n"
	unknown := minimal
	for i := range 3000 {
		unknown += fmt.Sprintf("k%d: 1\n", i)
	}
	cases := []struct {
		name      string
		src       string
		line, col int
		msg       string
	}{
		{"200k env keys (2.5 MB)", keys(200000), 1, 1, "the Stagefile is 2488976 bytes, more than the 262144 a Stagefile may have"},
		{"3M env keys", keys(3000000), 1, 1, "more than the 262144 a Stagefile may have"},
		{"20k env keys under the size limit", keys(20000)[:200000], 3335, 8, "more than 10000 YAML tokens"},
		{"flow lists 50k deep", minimal + "env: " + strings.Repeat("[", 50000), 4, 37, "nests values 33 levels deep, more than the 32"},
		{"block mappings 40 deep", minimal + blockNest(40), 36, 65, "nests values 33 levels deep"},
		{"alias of a mapping of unknown keys, 100 times", bomb, 5, 9, "and 950 more errors"},
		{"alias of a 100 KB string, 20 times", long, 7, 45, "expands to more than 10000 values or 1048576 bytes"},
		{"many aliases", minimal + "x: &x a\nenv: [" + strings.Repeat("*x, ", 101) + "]\n", 5, 407, "more than 100 aliases"},
		{"thousands of unknown keys", unknown, 4, 1, "and 2950 more errors"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			s, err := Parse("Stagefile", []byte(tc.src))
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d bytes in: %v, %.1f MB allocated", len(tc.src), took, float64(alloc)/1e6)
			assert.Assert(t, s == nil, "accepted")
			first := firstError(t, err)
			assert.Check(t, is.Contains(err.Error(), tc.msg))
			assert.Check(t, is.Equal(first.Range.Start.Line, tc.line), "error: %.300v", err)
			assert.Check(t, is.Equal(first.Range.Start.Column, tc.col), "error: %.300v", err)
			assert.Check(t, took < time.Second, "took %v", took)
			assert.Check(t, alloc < 100<<20, "allocated %d bytes", alloc)
			var list Errors
			if errors.As(err, &list) {
				assert.Check(t, len(list) <= DefaultLimits.Errors+1, "%d errors", len(list))
			}
		})
	}
}

func blockNest(n int) string {
	var b strings.Builder
	b.WriteString("env:\n")
	for i := range n {
		fmt.Fprintf(&b, "%s  k%d:\n", strings.Repeat("  ", i), i)
	}
	return b.String()
}

// TestOddButValid: what editors and platforms do to a file is read as
// written.
func TestOddButValid(t *testing.T) {
	for name, src := range map[string]string{
		"UTF-8 BOM":          "\uFEFF" + minimal + "test:\n  run: npm test\n",
		"CRLF line ends":     strings.ReplaceAll(minimal+"test:\n  run: npm test\n", "\n", "\r\n"),
		"anchors and aliase": minimal + "test:\n  run: &t npm test\nbuild:\n  run: *t\n",
	} {
		t.Run(name, func(t *testing.T) {
			s, err := Parse("Stagefile", []byte(src))
			assert.NilError(t, err)
			assert.Check(t, is.Equal(s.Test.Run.Value, "npm test"))
			assert.Check(t, is.Equal(s.Test.Run.At.Start.Line, 5))
		})
	}
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
	s, err := Parse("Stagefile", []byte(src))
	assert.NilError(t, err)
	assert.Check(t, is.Equal(s.Workdir.Value, "/srv/app"))
	assert.Check(t, is.Equal(s.Env.Entries[0].Key.Value, "CI"))
	assert.Check(t, is.Equal(s.Env.Entries[0].Value.Value, "true"))
	caches := s.Dependencies.Caches.Items
	assert.Check(t, is.Equal(caches[0].Path.Value, "/usr/local/share/.cache/yarn"))
	assert.Check(t, is.Equal(caches[1].ID.Value, "shared-cache"))
	assert.Check(t, is.Equal(caches[1].Sharing.Value, "locked"))
	assert.Check(t, is.Equal(caches[1].Sharing.At.Start, Pos{Line: 12, Column: 55}))
	assert.Check(t, is.Equal(s.Secrets.Items[1].Env.Value, "NPM_TOKEN"))
	assert.Check(t, s.Secrets.Items[1].Required.Value)
	assert.Check(t, !s.Secrets.Items[0].Target.Written())
	assert.Check(t, is.Equal(s.Test.Run.Value, "yarn lint\nyarn test\n"))
	assert.Check(t, is.DeepEqual(Strings(s.Release.Expose), []string{"8080", "9090/udp"}))
	assert.Check(t, is.Equal(s.Release.Env.Entries[1].Value.Value, "8080"))

	// positions are on the values themselves
	assert.Check(t, is.Equal(s.Test.Run.At.Start.Line, 19))
	assert.Check(t, is.Equal(s.Test.Run.At.EndLine, 21))
	assert.Check(t, is.Equal(s.Test.Span().Start.Line, 18))
	assert.Check(t, is.Equal(s.Test.Span().EndLine, 22))
	assert.Check(t, is.Equal(s.Release.Expose.Items[1].At.Start, Pos{Line: 29, Column: 18}))
	assert.Check(t, !s.Preset.Written())
}

// TestErrorsUnwrap: a positioned error keeps its cause.
func TestErrorsUnwrap(t *testing.T) {
	cause := errors.New("registry said no")
	var err error = Errors{Wrap(cause, "Stagefile", Range{Start: Pos{2, 8}, EndLine: 2}, "resolving node:20")}
	assert.Check(t, errors.Is(err, cause))
	assert.Check(t, is.Equal(err.Error(), "Stagefile:2:8: resolving node:20: registry said no"))
}

// FuzzParse: no input makes Parse panic or run long, and every error is
// positioned.
func FuzzParse(f *testing.F) {
	f.Add(minimal + "test:\n  run: yarn test\n")
	f.Add("version: 1\nimage: [\n")
	f.Add("x: &a [*a]\n")
	f.Add(minimal + "release:\n  expose: [80, {a: b}]\n")
	f.Add(minimal + "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b, *b]\n")
	f.Fuzz(func(t *testing.T, src string) {
		var err error
		bounded.Run(t, bounded.Fuzz, func() { _, err = Parse("Stagefile", []byte(src)) })
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

// The list a "must be a list" error suggests decodes to the words meant.
func TestListSuggestionParses(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"gunicorn -b :5000 app:app", `[gunicorn -b :5000 app:app]`},
		{"node dist/main.js", `[node dist/main.js]`},
		{"node @scope/cli %s", `[node @scope/cli %s]`},
		{`npm start && echo "done"`, `[sh -c npm start && echo "done"]`},
	} {
		_, err := Parse("Stagefile", []byte(minimal+"release:\n  cmd: "+tc.value+"\n"))
		assert.Assert(t, err != nil)
		_, suggestion, ok := strings.Cut(err.Error(), "e.g. ")
		assert.Assert(t, ok, err.Error())
		suggestion = strings.TrimSuffix(suggestion, ")")
		s, err := Parse("Stagefile", []byte(minimal+"release:\n  cmd: "+suggestion+"\n"))
		assert.NilError(t, err, suggestion)
		var words []string
		for _, w := range s.Release.Cmd.Items {
			words = append(words, w.Value)
		}
		assert.Check(t, is.Equal(fmt.Sprint(words), tc.want))
	}
}
