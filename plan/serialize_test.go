package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/spec"
)

// hostile are strings a build context can put in a plan (a package.json
// script, a label from a lockfile): YAML's indicators, words and numbers
// it would read as something else, line breaks, and control characters.
var hostile = []string{
	"", "plain", "line1\nline2", "line1\nline2\n", "a\r\nb", "\x1b[31mred\x1b[0m", "bell\a", "# not a comment", "key: value",
	"trailing:", " leading", "trailing ", "true", "No", "null", "~", "8080", "1e3", "0x1F", "0o17", "0b101", ".inf",
	"-.NaN", "2001-12-14", "1:20", "<<", "=", "- item", "[flow]", "{a: 1}", "*alias", "&anchor", "!tag", "%directive",
	"@at", "`tick", "'single", "\"double", "|pipe", ">fold", "?q", "a #b", "a\tb", "sep\u2028arator", "\u202eRTL",
	"del\x7f", "nel\u0085", "\ufeffbom", "é ünïcode → 世界", "multi\n\nblank\n", "ends\n\n", "\nleading newline",
	"  indented\nsecond", "tabs\tin\nblock", "x  # y\nz", "---", "...", "back\\slash", "nbsp\u00a0", "0", "-1", "+1",
}

// hostilePlan holds every hostile string where the YAML view shows it:
// as a value, a key, a list item, a script and an origin's text.
func hostilePlan() *Plan {
	o := Origin{Kind: Preset, Preset: "fake", From: "package.json\n# injected: true\x1b[2J"}
	p := &Plan{File: "Stagefile\x1b]0;title\a", Image: Value[string]{"node:20", o}}
	for i, s := range hostile {
		p.Env = append(p.Env, Var{Name: fmt.Sprintf("V%d", i), Value: s, Origin: o})
		p.Release.Labels = append(p.Release.Labels, Var{Name: s, Value: s, Origin: Origin{Kind: Preset, Preset: "fake", From: s}})
		p.Source.Exclude = append(p.Source.Exclude, Value[string]{s, o})
	}
	p.Release.Cmd = Value[[]string]{hostile, o}
	p.Release.Entrypoint = Value[[]string]{[]string{}, o}
	p.Test.Run = Shell(strings.Join(hostile, "\n"), o)
	p.Build.Run = Argv(o, hostile, []string{"echo", "done"})
	p.Secrets = []Secret{{ID: Value[string]{"x\ny", o}, Origin: o}}
	return p
}

// fullPlan is the hostile plan with every other field set: nil and empty
// lists, a cross install, fetch steps, packages.
func fullPlan() *Plan {
	p := hostilePlan()
	at := spec.Range{Start: spec.Pos{Line: 3, Column: 5}, EndLine: 7}
	o := Origin{Kind: Stagefile, At: at, From: "x"}
	p.Span, p.Test.At, p.Test.Declared = at, at, true
	p.Args = []Arg{{Name: "V", Value: "1", Default: "0", Description: "d", Given: true, Origin: o}}
	p.Dependencies = Dependencies{
		At:         at,
		Production: &Command{Argv: [][]string{}, Origin: o},
		Tools:      Argv(o),
		Cross: &CrossInstall{Env: map[string][]Var{"arm64": {{Name: "npm_config_arch", Value: "arm64", Origin: o}}, "amd64": {}},
			Check: []string{"node", "check.js", "/out"}, Why: "why", Origin: o},
		Packages:     []Package{{Ecosystem: "npm", Name: "a", Version: "1", Arch: []string{}}, {Ecosystem: "npm", Name: "b", Version: "2", Arch: []string{"arm64"}}},
		PackagesFrom: o,
		Fetch: &Fetch{Command: []string{"node", "-e", "x"}, Path: "/mirror", Env: []Var{{Name: "A", Value: "b", Origin: o}},
			Packages: []Download{{Name: "a", URL: "https://x/a.tgz", Integrity: "sha512-AA==", File: "a.tgz", Arch: []string{"amd64"}}}, Origin: o},
		FetchAsked: Value[bool]{true, o},
	}
	p.Release.NoDependencies = Value[bool]{true, o}
	p.Release.Healthcheck = &Healthcheck{Test: Value[[]string]{[]string{"a"}, o}, Retries: Value[int]{3, o}, Origin: o}
	p.Test.Caches = []Cache{NewCache("/c", "locked", o)}
	p.Test.Run.Args = []string{"V"}
	p.Env[0].Template = "${V}$$"
	return p
}

// TestStoredRoundTrip: JSON and back gives the same plan, nil and empty
// lists told apart, origins and ranges kept, hostile strings unchanged.
func TestStoredRoundTrip(t *testing.T) {
	p := fullPlan()
	dt, err := json.Marshal(p)
	assert.NilError(t, err)
	var got Plan
	assert.NilError(t, json.Unmarshal(dt, &got))
	assert.DeepEqual(t, &got, p)
	assert.Check(t, bytes.HasPrefix(p.JSON(), []byte("{\n  \"version\": 1,\n")))
	assert.Check(t, is.Contains(string(p.JSON()), `"tools": {
      "origin": {`), "nil argv: no key")
	assert.Check(t, is.Contains(string(p.JSON()), `"argv": [],`), "empty argv")
}

// TestRead: Read takes what JSON wrote, checked, and says what is wrong
// with anything else.
func TestRead(t *testing.T) {
	p, _, err := resolve(t, minimal+"test:\n  run: make test\nrelease:\n  cmd: [./app]\n")
	assert.NilError(t, err)
	got, err := Read(p.JSON(), nil)
	assert.NilError(t, err)
	assert.DeepEqual(t, got, p)

	stored := string(p.JSON())
	for _, tc := range []struct{ name, data, msg string }{
		{"empty", "", "stored plan: unexpected end of JSON input"},
		{"not JSON", "version: 1\n", "stored plan: invalid character"},
		{"not an object", "[1]", "stored plan: json: cannot unmarshal array"},
		{"no version", `{"file": "Stagefile"}`, `stored plan: no "version": not a stored plan`},
		{"another version", strings.Replace(stored, `"version": 1`, `"version": 2`, 1), "stored plan: version 2, and this stagefile reads version 1"},
		{"trailing data", stored + "{}", "stored plan: invalid character '{' after top-level value"},
		{"unknown key", strings.Replace(stored, `"file":`, `"fiel": "x", "file":`, 1), `stored plan: json: unknown field "fiel"`},
		{"unknown origin key", strings.Replace(stored, `"kind":`, `"knid": "x", "kind":`, 1), `stored plan: json: unknown field "knid"`},
		{"wrong type", strings.Replace(stored, `"value": "node:20-bookworm-slim"`, `"value": 20`, 1), "stored plan: json: cannot unmarshal number into Go struct field"},
		{"fails the checks", strings.Replace(stored, `"value": "node:20-bookworm-slim"`, `"value": "Node:20"`, 1), `stored plan: Stagefile:3:8: invalid image reference "Node:20"`},
		{"too large", `{"version": 1, "file": "` + strings.Repeat("x", MaxStoredSize) + `"}`, "bytes, more than the 67108864 a plan may have"},
	} {
		_, err := Read([]byte(tc.data), nil)
		assert.Check(t, is.ErrorContains(err, tc.msg), tc.name)
	}
}
