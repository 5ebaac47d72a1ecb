package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	"gotest.tools/v3/golden"
)

const (
	stagefileOK    = "# syntax=docker.io/stagefile/stagefile:1\nversion: 1\nimage: node:20\n"
	stagefileInApp = "# syntax=docker.io/stagefile/stagefile:1\nversion: 1\nimage: node:20\napp: apps/%s\n"
)

// bakeOut is a bake file as `docker buildx bake` reads it.
type bakeOut struct {
	Group  map[string]struct{ Targets []string } `json:"group"`
	Target map[string]bakeTarget                 `json:"target"`
}

// readBake parses a printed bake file strictly and checks its shape: a
// "default" group of every target, names bake accepts, and for each
// target a context and a Stagefile that exist where bake, run from dir,
// looks for them (the dockerfile joined to the context).
func readBake(t *testing.T, dir, out string) bakeOut {
	t.Helper()
	var b bakeOut
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	assert.NilError(t, dec.Decode(&b), out)
	assert.Check(t, is.Len(b.Group, 1))
	var names []string
	for name, tg := range b.Target {
		names = append(names, name)
		assert.Check(t, regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`).MatchString(name), name)
		literal := strings.NewReplacer("$${", "${", "%%{", "%{").Replace
		ctx := filepath.Join(dir, filepath.FromSlash(literal(tg.Context)))
		st, err := os.Stat(ctx)
		assert.Check(t, err == nil && st.IsDir(), "%s: context %s", name, tg.Context)
		_, err = os.Stat(filepath.Join(ctx, filepath.FromSlash(literal(tg.Dockerfile))))
		assert.Check(t, err, "%s: dockerfile %s", name, tg.Dockerfile)
	}
	slices.Sort(names)
	assert.Check(t, is.DeepEqual(b.Group["default"].Targets, names))
	return b
}

// tree writes files (path → content; content "->X" makes a symlink to
// X) under dir.
func tree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		assert.NilError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		if target, ok := strings.CutPrefix(content, "->"); ok {
			assert.NilError(t, os.Symlink(target, p))
			continue
		}
		assert.NilError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

// TestBake: a target per Stagefile, its context as `stagefile check`
// finds it, paths relative to DIR; dependency folders and symlinked
// folders are not searched; every broken Stagefile is reported.
func TestBake(t *testing.T) {
	outside := t.TempDir()
	tree(t, outside, map[string]string{"app/Stagefile": stagefileOK})

	for _, tc := range []struct {
		name    string
		files   map[string]string
		args    []string
		code    int
		targets map[string]bakeTarget // when code is 0
		stderr  []string
	}{
		{
			name: "monorepo",
			files: map[string]string{
				"Stagefile":                          stagefileOK, // an app at the root: named after it
				"ws/package.json":                    "{}",
				"ws/apps/api/Stagefile":              strings.Replace(stagefileInApp, "%s", "api", 1),
				"ws/apps/web/Stagefile":              strings.Replace(stagefileInApp, "%s", "web", 1),
				"ws/node_modules/dep/Stagefile":      "not even YAML: [",
				"ws/apps/web/node_modules/Stagefile": "not even YAML: [",
				".git/Stagefile":                     "not even YAML: [",
				"services/api/Stagefile":             stagefileOK, // collides with ws/apps/api
				"ws/apps/loop":                       "->..",      // a symlink loop
				"linked":                             "->" + outside,
			},
			targets: map[string]bakeTarget{
				"shop":         {Context: ".", Dockerfile: "Stagefile"},
				"apps-api":     {Context: "ws", Dockerfile: "apps/api/Stagefile"},
				"web":          {Context: "ws", Dockerfile: "apps/web/Stagefile"},
				"services-api": {Context: "services/api", Dockerfile: "Stagefile"},
			},
		},
		{
			name: "context and tags",
			files: map[string]string{
				"docker/api/Stagefile":   strings.Replace(stagefileInApp, "%s", "api", 1),
				"docker/Admin/Stagefile": strings.Replace(stagefileInApp, "%s", "admin", 1),
			},
			args: []string{"--context", "DIR", "--tag-prefix", "ghcr.io/acme/shop-"},
			targets: map[string]bakeTarget{
				"api":   {Context: ".", Dockerfile: "docker/api/Stagefile", Tags: []string{"ghcr.io/acme/shop-api"}},
				"admin": {Context: ".", Dockerfile: "docker/Admin/Stagefile", Tags: []string{"ghcr.io/acme/shop-admin"}},
			},
		},
		{
			name: "bake templates kept literal",
			files: map[string]string{
				"a${HOME}%{x}/Stagefile": stagefileOK,
			},
			targets: map[string]bakeTarget{
				"a-home-x": {Context: "a$${HOME}%%{x}", Dockerfile: "Stagefile"},
			},
		},
		{
			name: "no syntax line",
			files: map[string]string{
				"api/Stagefile": "version: 1\nimage: node:20\n",
			},
			targets: map[string]bakeTarget{"api": {Context: "api", Dockerfile: "Stagefile"}},
			stderr:  []string{"api/Stagefile:1:1: no \"# syntax=\" line"},
		},
		{
			name: "invalid Stagefiles",
			files: map[string]string{
				"a/Stagefile": stagefileOK + "release:\n  cmd: node\n  expsoe: [80]\n",
				"b/Stagefile": "image: node:20\n",
				"c/Stagefile": stagefileOK,
			},
			code: 1,
			stderr: []string{
				filepath.Join("a", "Stagefile") + `:5:8: "release.cmd" must be a list`,
				filepath.Join("a", "Stagefile") + `:6:3: unknown key "expsoe"`,
				filepath.Join("b", "Stagefile") + `:1:1: missing "version"`,
				"no bake file printed: 2 of the 3 Stagefiles under",
			},
		},
		{
			name:   "symlinked Stagefile out of its folder",
			files:  map[string]string{"api/Stagefile": "->" + filepath.Join(outside, "app", "Stagefile")},
			code:   1,
			stderr: []string{"escapes"},
		},
		{
			name:   "control characters in a folder name",
			files:  map[string]string{"evil\x1b]0;pwned\x07/Stagefile": stagefileOK, "ok/Stagefile": stagefileOK},
			code:   1,
			stderr: []string{`evil\x1b]0;pwned\x07` + string(filepath.Separator) + "Stagefile: the path holds control characters"},
		},
		{
			name:   "none",
			files:  map[string]string{"node_modules/x/Stagefile": stagefileOK, "README.md": "hi"},
			code:   1,
			stderr: []string{"no file named Stagefile under", "node_modules"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "shop")
			assert.NilError(t, os.Mkdir(dir, 0o755))
			tree(t, dir, tc.files)
			var args []string
			for _, a := range tc.args {
				args = append(args, strings.ReplaceAll(a, "DIR", dir))
			}
			code, out, stderr := cli(append([]string{"bake", dir}, args...)...)
			assert.Check(t, is.Equal(code, tc.code), stderr)
			for _, s := range tc.stderr {
				assert.Check(t, is.Contains(stderr, s))
			}
			assert.Check(t, !strings.ContainsAny(stderr, "\x1b\x07"), "%q", stderr)
			if tc.code != 0 {
				assert.Check(t, is.Equal(out, ""))
				return
			}
			assert.Check(t, is.DeepEqual(readBake(t, dir, out).Target, tc.targets))
		})
	}
}

// TestBakeNames: names come from the folders, lower case, in what bake
// and image names accept; collisions take the parent folder, then a
// number; "default" is the group's.
func TestBakeNames(t *testing.T) {
	for _, tc := range []struct {
		folders []string // "" is the root
		want    []string
	}{
		{[]string{"", "apps/api"}, []string{"shop", "api"}},
		{[]string{"apps/api", "services/api", "x/apps/api"}, []string{"apps-api", "services-api", "x-apps-api"}},
		{[]string{"apps/shop", ""}, []string{"apps-shop", "shop"}},
		{[]string{"a/My.App", "b/my-app"}, []string{"a-my-app", "b-my-app"}},
		{[]string{"My.App", "my-app", "my_app"}, []string{"my-app", "my-app-2", "my-app-3"}},
		{[]string{"api", "Api", "api-2"}, []string{"api", "api-3", "api-2"}},
		{[]string{"default", "apps/default"}, []string{"default-2", "apps-default"}},
		{[]string{"日本", "--"}, []string{"app", "app-2"}},
		{[]string{strings.Repeat("long-", 20) + "name"}, []string{strings.TrimLeft((strings.Repeat("long-", 20) + "name")[104-64:], "-")}},
	} {
		var apps []*bakeApp
		for _, f := range tc.folders {
			a := &bakeApp{}
			if f != "" {
				a.folders = strings.Split(f, "/")
			}
			apps = append(apps, a)
		}
		nameTargets(apps, "shop")
		var got []string
		for _, a := range apps {
			got = append(got, a.name)
		}
		assert.Check(t, is.DeepEqual(got, tc.want), "%q", tc.folders)
	}
}

// TestBakeExamples: the bake file of the repository's examples, as
// `stagefile bake examples` prints it.
func TestBakeExamples(t *testing.T) {
	code, out, stderr := cli("bake", "../../examples")
	assert.Assert(t, is.Equal(code, 0), stderr)
	assert.Check(t, is.Equal(stderr, ""))
	golden.Assert(t, out, "bake-examples.json")
	b := readBake(t, "../../examples", out)
	assert.Check(t, is.Len(b.Target, len(examples(t))))
	// the output does not depend on the folder the command runs in
	wd, err := os.Getwd()
	assert.NilError(t, err)
	t.Chdir("../../examples")
	code, again, stderr := cli("bake")
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, is.Equal(again, out))
	code, again, _ = cli("bake", filepath.Join(wd, "../../examples"))
	assert.Check(t, is.Equal(code, 0))
	assert.Check(t, is.Equal(again, out))
}

// TestBakeLimits: a folder with more to search than a repository has is
// refused with a message, not walked for minutes.
func TestBakeLimits(t *testing.T) {
	saved := bakeLimits
	t.Cleanup(func() { bakeLimits = saved })
	dir := t.TempDir()
	files := map[string]string{}
	for _, d := range []string{"a", "b", "c", "d"} {
		files[d+"/Stagefile"] = stagefileOK
		files[d+"/x/y/z"] = ""
	}
	tree(t, dir, files)
	for _, tc := range []struct {
		set  func()
		want string
	}{
		{func() { bakeLimits.Stagefiles = 3 }, "more than 3 Stagefiles; is it the repository?"},
		{func() { bakeLimits.Dirs = 5 }, "more than 5 folders to search"},
		{func() { bakeLimits.Entries = 10 }, "more than 10 files and folders to list"},
	} {
		bakeLimits = saved
		tc.set()
		code, out, stderr := cli("bake", dir)
		assert.Check(t, is.Equal(code, 1))
		assert.Check(t, is.Equal(out, ""))
		assert.Check(t, is.Contains(stderr, tc.want))
	}
}

// TestBakeUsage: one folder, a tag prefix that makes image names.
func TestBakeUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bake", "a", "b"}, 2, "one folder at a time, not 2"},
		{[]string{"bake", "--tag-prefix", "ghcr.io/acme/x:1", "../../examples"}, 2, "without a :tag"},
		{[]string{"bake", "--tag-prefix", "Ghcr.io/Acme/", "../../examples"}, 2, "--tag-prefix"},
		{[]string{"bake", "../../examples/node-npm/Stagefile"}, 1, "is not a folder"},
		{[]string{"bake", "--context", "nope", "../../examples"}, 1, "--context"},
	} {
		code, out, stderr := cli(tc.args...)
		assert.Check(t, is.Equal(code, tc.code), "%v: %s", tc.args, stderr)
		assert.Check(t, is.Equal(out, ""), "%v", tc.args)
		assert.Check(t, is.Contains(stderr, tc.want), "%v", tc.args)
	}
	var b bytes.Buffer
	assert.Check(t, is.Equal(runCLI(t.Context(), []string{"help"}, &b, &b), 0))
	assert.Check(t, is.Contains(b.String(), "stagefile bake"))
}
