package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/spec"
)

// initDifferences are where the Stagefile `stagefile init` writes for an
// example (its Stagefiles removed, in a copy) resolves to another plan
// than the committed one, field by field, and why. Origins and positions
// are not compared, only the values. TestInitExamples fails on a
// difference missing here, and on one listed here that is gone.
var initDifferences = map[string]map[string]string{
	"failing-test": {
		"(no Stagefile)": "the example names no preset and has no lockfile: preset node refuses the folder, and init writes nothing",
	},
	"go-http":             {},
	"go-work/apps/api":    {},
	"go-work/apps/worker": {},
	"node-bun": {
		"image": nodeImage + "; the release runs on bun's image either way",
	},
	"node-distroless": {
		"release.image":       "the example releases on a distroless image, a choice init cannot read from the app",
		"release.entrypoint":  "the distroless image starts node itself, so the example keeps its entrypoint; init's release image, the build image, needs [node]",
		"release.env":         "the example's DATA_DIR, for the folder the app writes",
		"release.writable":    "the example's writable data folder",
		"release.healthcheck": "the example's healthcheck",
		"release.stopSignal":  "the example's stop signal",
	},
	"node-multiplatform": {
		"image":         nodeImage,
		"release.image": nodeImage,
	},
	"node-native": {
		"image":         "the example builds on node:20-bookworm, for the compilers node-gyp needs; init pins what the preset picks",
		"release.image": "the example runs on node:20-bookworm-slim; init releases on the build image, as the preset does",
		"env":           "the example's npm_config_build_from_source and npm_config_foreground_scripts",
	},
	"node-npm": {
		"image":         nodeImage,
		"release.image": nodeImage,
		"test.reports":  "the example exports a JUnit report for CI, which init cannot know it wants",
		"test.declared": "the example's test section (for test.reports)",
	},
	"node-vitest": {
		"image":         nodeImage,
		"release.image": nodeImage,
	},
	"node-yarn": {
		"image":                    nodeImage,
		"release.image":            nodeImage,
		"dependencies.production":  "the example writes every value out, the installs as shell commands; the preset's are the same commands as argument lists",
		"dependencies.development": "as dependencies.production",
		"test.run":                 "the example runs jest with its own flags and cache folder",
		"test.caches":              "the example's jest cache folder",
		"test.declared":            "the example's test section",
		"build.run":                "the example writes yarn run build; the preset runs yarn build",
		"build.caches":             "the preset mounts the build tools' cache; the example's own build section does not",
		"release.env":              "the example sets PORT",
		"release.user":             "the example writes node; the preset decides the user from the runtime image, at build time",
	},
	"node-yarn-berry": {
		"image":         nodeImage,
		"release.image": nodeImage,
	},
	"node-pnpm-monorepo/apps/api": {
		"image":         nodeImage,
		"release.image": nodeImage,
	},
	"node-pnpm-monorepo/apps/web": {
		"image":         nodeImage,
		"release.image": nodeImage,
		"build.outputs": "the example adds apps/web/dist, what its build script (node build.js) writes: init cannot tell, and writes a TODO with the preset's outputs commented out",
	},
	"node-pnpm-monorepo/apps/worker": {
		"image":         nodeImage,
		"release.image": nodeImage,
	},
	"python-pip": {
		"image":          "the example builds on python:3.11-bookworm (compilers for markupsafe); nothing in the app names a Python line, so init pins the preset's pick, the newest (3.14)",
		"release.image":  "the example runs on python:3.11-slim-bookworm; init releases on the build image, as the preset does",
		"env":            "the example's PIP_NO_BINARY, to compile markupsafe",
		"release.cmd":    "the preset cannot tell how the app starts (no pyproject.toml): init writes a TODO with the preset's suggestion commented out, never a command",
		"release.expose": "the port belongs to that command: commented out with it",
		"release.env":    "the example sets PORT for gunicorn",
	},
	"python-poetry": {
		"image":         "the example builds on python:3.11-bookworm; init pins the preset's pick, the newest line requires-python accepts (3.14)",
		"release.image": "the example runs on python:3.11-slim-bookworm; init releases on the build image, as the preset does",
	},
	"python-uv":                           {},
	"python-uv-workspace/packages/api":    {},
	"python-uv-workspace/packages/worker": {},
	"rust-axum": {
		"(no Stagefile)": "preset rust has no init yet (it is no plan.Initializer): init finds nothing it builds in the folder, and writes nothing",
	},
}

// nodeImage is why most node examples' images differ.
const nodeImage = "the example pins node:20-bookworm-slim by hand; nothing in the app names a Node.js line (engines.node, .nvmrc, .node-version), so init pins the preset's pick, the newest LTS line (node:26-slim)"

// initExample is a Stagefile under examples/: its example's folder, and
// its path there.
type initExample struct{ root, file string }

func initExamples(t *testing.T) []initExample {
	var out []initExample
	for _, f := range examples(t) {
		rel, err := filepath.Rel("../../examples", f)
		assert.NilError(t, err)
		parts := strings.SplitN(filepath.ToSlash(rel), "/", 2)
		out = append(out, initExample{root: parts[0], file: parts[1]})
	}
	return out
}

// copyTree copies the folder src to dst, leaving out node_modules.
func copyTree(t *testing.T, src, dst string) {
	assert.NilError(t, filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		dt, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), dt, 0o644)
	}))
}

// planValues is the resolved plan of a Stagefile as JSON values, without
// origins and positions; the release's own findings do not fail it.
func planValues(t *testing.T, file string) map[string]any {
	data, err := os.ReadFile(file)
	assert.NilError(t, err)
	s, err := spec.Parse(file, data)
	assert.NilError(t, err)
	p, _, err := resolveIn(defaultContext(file, s), "", data, s, nil, false)
	assert.NilError(t, err, file)
	var v map[string]any
	assert.NilError(t, json.Unmarshal(p.JSON(), &v))
	return stripPositions(v).(map[string]any)
}

func stripPositions(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			switch k {
			case "origin", "at", "span", "file", "packagesFrom":
				continue
			}
			out[k] = stripPositions(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = stripPositions(e)
		}
		return out
	}
	return v
}

// differences are the fields (two levels deep: "release.env") whose
// values differ.
func differences(a, b map[string]any, prefix string, depth int) []string {
	var out []string
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	for k := range keys {
		name := strings.TrimPrefix(prefix+"."+k, ".")
		am, aok := a[k].(map[string]any)
		bm, bok := b[k].(map[string]any)
		if aok && bok && depth < 1 {
			out = append(out, differences(am, bm, name, depth+1)...)
			continue
		}
		if !reflect.DeepEqual(a[k], b[k]) {
			out = append(out, strings.TrimSuffix(name, ".value"))
		}
	}
	sort.Strings(out)
	return out
}

// TestInitExamples: for every example, init writes Stagefiles (one per
// app with --all in a workspace) whose plans equal the committed ones but
// for the differences listed, each with its reason; every Stagefile
// written passes stagefile check, but for what init marked TODO.
func TestInitExamples(t *testing.T) {
	tmp := t.TempDir()
	done := map[string]bool{}
	var report []string
	for _, ex := range initExamples(t) {
		dir := filepath.Join(tmp, ex.root)
		if !done[ex.root] {
			done[ex.root] = true
			copyTree(t, filepath.Join("../../examples", ex.root), dir)
			matches, _ := filepath.Glob(filepath.Join(dir, "Stagefile"))
			more, _ := filepath.Glob(filepath.Join(dir, "*", "*", "Stagefile"))
			for _, m := range append(matches, more...) {
				assert.NilError(t, os.Remove(m))
			}
			args := []string{"init", dir}
			if _, err := os.Stat(filepath.Join("../../examples", ex.root, "Stagefile")); err != nil {
				args = []string{"init", "--all", dir}
			}
			code, _, stderr := cli(args...)
			if code != 0 {
				report = append(report, fmt.Sprintf("%s: init failed: %s", ex.root, strings.TrimSpace(stderr)))
			}
		}
		name := strings.TrimSuffix(ex.root+"/"+strings.TrimSuffix(ex.file, "Stagefile"), "/")
		written := filepath.Join(dir, filepath.FromSlash(ex.file))
		var got []string
		if _, err := os.Stat(written); err != nil {
			got = []string{"(no Stagefile)"}
		} else {
			got = differences(planValues(t, filepath.Join("../../examples", ex.root, ex.file)), planValues(t, written), "", 0)
			code, _, stderr := cli("check", written)
			if code != 0 {
				data, _ := os.ReadFile(written)
				assert.Check(t, is.Contains(string(data), "# TODO release.cmd"), "%s: check fails without a TODO for it: %s", name, stderr)
			}
			for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if strings.HasPrefix(l, "warning:") && !strings.Contains(l, "[NoTests]") && !strings.Contains(l, "[StartCommandGuess]") {
					t.Errorf("%s: check warns of what init could have avoided: %s", name, l)
				}
			}
		}
		want := initDifferences[name]
		var wantKeys []string
		for k := range want {
			wantKeys = append(wantKeys, k)
		}
		sort.Strings(wantKeys)
		if !slices.Equal(got, wantKeys) {
			t.Errorf("%s: the plans differ in %v, the table lists %v", name, got, wantKeys)
		}
	}
	for _, r := range report {
		t.Log(r)
	}
}

// writeTree writes files (path → content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		assert.NilError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		assert.NilError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

// listDir is every file under dir, relative, sorted.
func listDir(t *testing.T, dir string) []string {
	var out []string
	assert.NilError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	}))
	sort.Strings(out)
	return out
}

const emptyLock = `{"name": "x", "lockfileVersion": 3, "requires": true, "packages": {"": {"name": "x"}}}`

// TestInitRefuses: a folder init cannot write for says what it looked
// for or found, and how to choose; nothing is written.
func TestInitRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		args  []string
		code  int
		want  []string
	}{
		{"empty", nil, nil, 1, []string{"found nothing a preset builds", "package.json (node)", "go.mod or go.work (go)", "pyproject.toml, requirements.txt, uv.lock or poetry.lock (python)"}},
		{"unknown", map[string]string{"README.md": "hi", "Cargo.toml": ""}, nil, 1, []string{"found nothing a preset builds"}},
		{"several", map[string]string{"package.json": "{}", "go.mod": "module x\n"}, nil, 1, []string{"several presets: go.mod (go); package.json (node)", "--preset"}},
		{"no lockfile", map[string]string{"package.json": `{"scripts": {"start": "node x.js"}}`}, nil, 1, []string{"preset node cannot build", "no lockfile", "nothing written"}},
		{"exists", map[string]string{"package.json": `{"main": "x.js"}`, "package-lock.json": emptyLock, "Stagefile": "mine"}, nil, 1, []string{"Stagefile already exists: nothing written (--force replaces it)"}},
		{"app outside a workspace", map[string]string{"package.json": `{"main": "x.js"}`, "package-lock.json": emptyLock}, []string{"--app", "apps/api"}, 1, []string{"is no workspace preset node reads"}},
		{"app and all", map[string]string{"package.json": "{}"}, []string{"--app", "x", "--all"}, 2, []string{"--app and --all"}},
		{"unknown preset", map[string]string{"package.json": "{}"}, []string{"--preset", "rust"}, 1, []string{`--preset "rust"`, "go, java, node, python"}},
		{"two folders", nil, []string{"a"}, 2, []string{"one folder at a time"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			before := listDir(t, dir)
			code, out, stderr := cli(append([]string{"init", dir}, tc.args...)...)
			assert.Check(t, is.Equal(code, tc.code), stderr)
			assert.Check(t, is.Equal(out, ""))
			for _, w := range tc.want {
				assert.Check(t, is.Contains(stderr, w))
			}
			assert.Check(t, is.DeepEqual(listDir(t, dir), before), "nothing written")
			if data, err := os.ReadFile(filepath.Join(dir, "Stagefile")); err == nil {
				assert.Check(t, is.Equal(string(data), tc.files["Stagefile"]))
			}
		})
	}
}

// TestInitForce: --force replaces the Stagefile, never .dockerignore.
func TestInitForce(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"package.json": `{"scripts": {"start": "node src/server.js"}}`, "package-lock.json": emptyLock,
		"src/server.js": "require('http').createServer().listen(process.env.PORT || 3000)\n",
		"Stagefile":     "mine", ".dockerignore": "coverage\n",
	})
	code, out, stderr := cli("init", "--force", dir)
	assert.Check(t, is.Equal(code, 0), stderr)
	data, err := os.ReadFile(filepath.Join(dir, "Stagefile"))
	assert.NilError(t, err)
	assert.Check(t, is.Contains(string(data), "outputs: [src]"))
	assert.Check(t, is.Contains(string(data), "expose: [3000]"))
	assert.Check(t, is.Contains(out, "wrote "+filepath.Join(dir, "Stagefile")))
	assert.Check(t, !strings.Contains(out, ".dockerignore"))
	ignore, _ := os.ReadFile(filepath.Join(dir, ".dockerignore"))
	assert.Check(t, is.Equal(string(ignore), "coverage\n"))
	assert.Check(t, is.Contains(stderr, ".dockerignore: left as it is; it does not leave out node_modules"))
	assert.Check(t, is.Contains(out, "docker build -f "+filepath.Join(dir, "Stagefile")+" "+dir))
}

// pnpmWorkspace is a pnpm workspace with two apps and a library.
func pnpmWorkspace(t *testing.T) string {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"package.json":              `{"name": "root", "private": true}`,
		"pnpm-workspace.yaml":       "packages:\n  - apps/*\n  - packages/*\n",
		"pnpm-lock.yaml":            "lockfileVersion: '9.0'\nimporters:\n  .: {}\n  apps/api: {}\n  apps/web: {}\n  packages/lib: {}\n",
		"apps/api/package.json":     `{"name": "api", "scripts": {"start": "node src/server.js", "test": "node --test"}}`,
		"apps/api/src/server.js":    "app.listen(8080)\n",
		"apps/web/package.json":     `{"name": "web", "scripts": {"build": "vite build", "start": "node server.js", "test": "node --test"}}`,
		"apps/web/server.js":        "const port = process.env.PORT || 4173\n",
		"packages/lib/package.json": `{"name": "lib", "main": "index.js"}`,
	})
	return dir
}

// TestInitWorkspace: without --app, init lists the apps and asks;
// --app writes one app's Stagefile in its folder, --all every app's.
func TestInitWorkspace(t *testing.T) {
	dir := pnpmWorkspace(t)
	before := listDir(t, dir)
	code, out, stderr := cli("init", dir)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Equal(out, ""))
	assert.Check(t, is.Contains(stderr, "is a pnpm workspace (pnpm-workspace.yaml) with 2 apps:\n  apps/api  scripts.start: node src/server.js\n  apps/web  scripts.start: node server.js\nand 1 library, which starts nothing: packages/lib"))
	assert.Check(t, is.Contains(stderr, "--app apps/api"))
	assert.Check(t, is.Contains(stderr, "--all"))
	assert.Check(t, is.DeepEqual(listDir(t, dir), before))

	code, _, stderr = cli("init", "--app", "packages/lib", dir)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "--app packages/lib is a library"))
	code, _, stderr = cli("init", "--app", "apps/nope", dir)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "--app apps/nope is no package"))

	code, _, stderr = cli("init", "--app", "./apps/api/", dir)
	assert.Check(t, is.Equal(code, 0), stderr)
	data, err := os.ReadFile(filepath.Join(dir, "apps/api/Stagefile"))
	assert.NilError(t, err)
	assert.Check(t, is.Contains(string(data), "\napp: apps/api "))
	assert.Check(t, is.Contains(string(data), "expose: [8080]"))
	code, _, _ = cli("check", filepath.Join(dir, "apps/api/Stagefile"))
	assert.Check(t, is.Equal(code, 0))

	// --all: the api's Stagefile exists now, so nothing is written
	code, _, stderr = cli("init", "--all", dir)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, filepath.Join(dir, "apps/api/Stagefile")+" already exists"))
	_, err = os.Stat(filepath.Join(dir, "apps/web/Stagefile"))
	assert.Check(t, os.IsNotExist(err))

	code, out, stderr = cli("init", "--all", "--force", dir)
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, is.Contains(out, "wrote "+filepath.Join(dir, "apps/web/Stagefile")))
	web, err := os.ReadFile(filepath.Join(dir, "apps/web/Stagefile"))
	assert.NilError(t, err)
	assert.Check(t, is.Contains(string(web), "outputs: [apps/web/server.js, apps/web/dist]"), string(web))
	assert.Check(t, is.Contains(string(web), "expose: [4173]"))
	// written by the first run: left as it is, and init says what it lacks
	ignore, err := os.ReadFile(filepath.Join(dir, ".dockerignore"))
	assert.NilError(t, err)
	assert.Check(t, is.Contains(string(ignore), "**/node_modules\n"))
	assert.Check(t, is.Contains(stderr, ".dockerignore: left as it is; it does not leave out apps/web/dist (what the build writes"))
	for _, f := range []string{"apps/api/Stagefile", "apps/web/Stagefile"} {
		code, _, stderr := cli("check", filepath.Join(dir, f))
		assert.Check(t, is.Equal(code, 0), stderr)
	}

	// run in the app's folder, init says where the workspace is
	dir = pnpmWorkspace(t)
	code, _, stderr = cli("init", filepath.Join(dir, "apps/web"))
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "apps/web of a pnpm workspace (pnpm-workspace.yaml) at "))
	assert.Check(t, is.Contains(stderr, "run stagefile init --app apps/web "))
}

// TestInitHostile: names and scripts from the context with control
// characters and YAML's special characters: what init writes parses back
// to the same values, holds no control character, and a value the plan
// would refuse is never written.
func TestInitHostile(t *testing.T) {
	dir := t.TempDir()
	apps := []string{"apps/#api", "apps/- x", "apps/yes", "apps/a: b", "apps/[x]", "apps/null", "apps/ü{1}", "apps/evil"}
	files := map[string]string{
		"package.json":        `{"name": "root\u001b[2J", "private": true}`,
		"pnpm-workspace.yaml": "packages:\n  - apps/*\n",
		"pnpm-lock.yaml":      "lockfileVersion: '9.0'\nimporters:\n  .: {}\n",
	}
	for i, a := range apps {
		files[a+"/package.json"] = fmt.Sprintf(`{"name": "x%d: &y *z", "scripts": {"start": "node src/server.js", "build": "tsc", "test": "node --test"}}`, i)
		files[a+"/tsconfig.json"] = `{"compilerOptions": {"outDir": "out #1, {x}: y"}}`
		files[a+"/src/server.js"] = "listen(8080)\n"
	}
	files["apps/evil/package.json"] = `{"name": "x\u0007\n# y: z", "scripts": {"start": "node src/server.js\n#\u001b]0;owned\u0007", "build": "tsc"}}`
	files["apps/evil/tsconfig.json"] = `{"compilerOptions": {"outDir": "dist\u001b[31m\n- x"}}`
	writeTree(t, dir, files)
	code, out, stderr := cli("init", dir)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, !strings.ContainsAny(out+stderr, "\x1b\x07"), "%q", stderr)

	code, out, stderr = cli("init", "--all", dir)
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, !strings.ContainsAny(out+stderr, "\x1b\x07"), "%q", stderr)
	for _, a := range apps {
		f := filepath.Join(dir, filepath.FromSlash(a), "Stagefile")
		data, err := os.ReadFile(f)
		assert.NilError(t, err)
		for _, r := range string(data) {
			assert.Check(t, r == '\n' || r >= 0x20 && r != 0x7f && (r < 0x80 || r >= 0xa0), "%s: %q written raw", a, r)
		}
		s, err := spec.Parse(f, data)
		assert.NilError(t, err, string(data))
		assert.Check(t, is.Equal(s.App.Value, a))
		if a == "apps/evil" || a == "apps/[x]" {
			// control characters, or a wildcard a copy would read as a pattern
			assert.Check(t, is.Len(s.Build.Outputs.Items, 0), "a path the plan would refuse is written: %s", data)
			assert.Check(t, is.Contains(string(data), "# TODO build.outputs"))
			continue
		}
		var outs []string
		for _, o := range s.Build.Outputs.Items {
			outs = append(outs, o.Value)
		}
		assert.Check(t, is.DeepEqual(outs, []string{a + "/src", a + "/out #1, {x}: y"}), string(data))
		code, _, stderr := cli("check", f)
		assert.Check(t, is.Equal(code, 0), stderr)
	}
}

// TestInitNext: a Next.js app's port is next start's; what it ships and
// how it starts are the choice docs/presets.md describes, commented out
// with a TODO, and check says the release needs them.
func TestInitNext(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"package.json":      `{"name": "web", "scripts": {"build": "next build", "start": "next start"}, "dependencies": {"next": "16.0.0"}}`,
		"package-lock.json": `{"name": "web", "lockfileVersion": 3, "requires": true, "packages": {"": {"name": "web", "dependencies": {"next": "16.0.0"}}, "node_modules/next": {"version": "16.0.0"}}}`,
		"next.config.mjs":   "export default {}\n",
	})
	code, _, stderr := cli("init", dir)
	assert.Check(t, is.Equal(code, 0), stderr)
	data, err := os.ReadFile(filepath.Join(dir, "Stagefile"))
	assert.NilError(t, err)
	for _, want := range []string{
		"\n# build:\n  # TODO build.outputs: next start reads .next, public and the next.config",
		"\n  # outputs: [.next, public, next.config.mjs]\n",
		"\nrelease:\n  # TODO release.cmd: scripts.start runs \"next start\"",
		"\n  # entrypoint: [node] ", "\n  # cmd: [node_modules/next/dist/bin/next, start] ",
		"\n  expose: [3000]                    # next start listens on 3000 by default",
	} {
		assert.Check(t, is.Contains(string(data), want))
	}
	assert.Check(t, is.Contains(stderr, "TODO release.cmd"))
	ignore, _ := os.ReadFile(filepath.Join(dir, ".dockerignore"))
	assert.Check(t, is.Contains(string(ignore), "\n.next\n"))
	code, _, stderr = cli("check", filepath.Join(dir, "Stagefile"))
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "[UnknownStartCommand]"))
}
