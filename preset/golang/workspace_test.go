package golang

import (
	"maps"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// workspace is a go.work of three modules: apps/api requires libs/greet
// (and chi, from the proxy), apps/worker requires nothing of the workspace.
func workspace() map[string]string {
	return map[string]string{
		"go.work":     "go 1.26\n\nuse (\n\t./apps/api\n\t./apps/worker\n\t./libs/greet\n)\n",
		"go.work.sum": "",
		"apps/api/go.mod": "module example.com/api\n\ngo 1.26\n\nrequire (\n\texample.com/greet v0.0.0\n\tgithub.com/go-chi/chi/v5 v5.5.0\n)\n\n" +
			"replace example.com/greet => ../../libs/greet\n",
		"apps/api/go.sum":        goSum,
		"apps/api/main.go":       "package main\n\nimport (\n\t\"example.com/greet\"\n\t\"github.com/go-chi/chi/v5/middleware\"\n)\n",
		"apps/worker/go.mod":     "module example.com/worker\n\ngo 1.26\n",
		"apps/worker/main.go":    "package main\n",
		"libs/greet/go.mod":      "module example.com/greet\n\ngo 1.26\n",
		"libs/greet/greet.go":    "package greet\n",
		"libs/greet/cmd/x/x.go":  "package main\n",
		"apps/api/cmd/tool/x.go": "package main\n\nimport \"example.com/api/internal\"\n",
	}
}

// scope is the plan's source scope as "path  # why" lines.
func scope(p *plan.Plan) []string {
	var out []string
	for _, v := range p.Source.Include {
		out = append(out, v.Value+"  # "+v.Origin.String())
	}
	return out
}

// TestWorkspaceScope: the api sees its module, the workspace module its
// go.mod requires and the workspace files; not apps/worker, nor chi (a
// module of the proxy). The worker sees itself and the workspace files.
func TestWorkspaceScope(t *testing.T) {
	p, warnings, err := fill(t, "app: apps/api\n", workspace())
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.Equal(p.Source.Scope.Value, plan.ScopeWorkspace))
	assert.Check(t, is.Equal(p.Source.Scope.Origin.String(), "preset go: go.work: the app's module and the workspace modules its go.mod requires"))
	assert.Check(t, is.DeepEqual(scope(p), []string{
		"apps/api  # preset go: go.work: the app's module",
		"libs/greet  # preset go: go.work: apps/api/go.mod requires example.com/greet (libs/greet)",
		"go.work  # preset go: the workspace file go reads",
		"go.work.sum  # preset go: the workspace's checksums, which go reads",
	}))
	assert.Check(t, p.Scoped())
	assert.Check(t, is.DeepEqual(plan.Values(p.Dependencies.Manifests), []string{"go.work", "go.work.sum", "apps/api/go.mod", "apps/api/go.sum", "apps/worker/go.mod", "libs/greet/go.mod"}),
		"the download is the whole workspace's, as before")

	p, warnings, err = fill(t, "app: apps/worker\n", workspace())
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.DeepEqual(plan.Values(p.Source.Include), []string{"apps/worker", "go.work", "go.work.sum"}))
}

// TestWorkspaceScopeTransitive: a requires b, which requires c, which
// requires a (a cycle go allows); d is in the workspace, required by no one.
func TestWorkspaceScopeTransitive(t *testing.T) {
	mod := func(name string, requires ...string) string {
		s := "module example.com/" + name + "\n\ngo 1.26\n"
		for _, r := range requires {
			s += "require example.com/" + r + " v0.0.0\n"
		}
		return s
	}
	files := map[string]string{
		"go.work":            "go 1.26\n\nuse (\n\t./apps/a\n\t./libs/b\n\t./libs/deep/c\n\t./libs/d\n)\n",
		"apps/a/go.mod":      mod("a", "b"),
		"apps/a/main.go":     "package main\n",
		"libs/b/go.mod":      mod("b", "c"),
		"libs/deep/c/go.mod": mod("c", "a"),
		"libs/d/go.mod":      mod("d"),
	}
	p, warnings, err := fill(t, "app: apps/a\n", files)
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.DeepEqual(scope(p), []string{
		"apps/a  # preset go: go.work: the app's module",
		"libs/b  # preset go: go.work: apps/a/go.mod requires example.com/b (libs/b)",
		"libs/deep/c  # preset go: go.work: libs/b/go.mod requires example.com/c (libs/deep/c)",
		"go.work  # preset go: the workspace file go reads",
	}))
}

// TestWorkspaceScopeReplace: replace directives to local folders, in
// go.work and in any used module's go.mod (in a workspace they all
// apply), scope the folder they name, and what its go.mod requires; a
// replacement deeper than the workspace's wildcards is read by name.
func TestWorkspaceScopeReplace(t *testing.T) {
	files := map[string]string{
		"go.work": "go 1.26\n\nuse (\n\t./apps/api\n\t./apps/worker\n\t./libs/greet\n)\n\n" +
			"replace example.com/money => ./third_party/forks/money/v2\n",
		"apps/api/go.mod": "module example.com/api\n\ngo 1.26\n\nrequire (\n\texample.com/money v1.0.0\n\texample.com/fork v1.0.0\n\texample.com/plain v1.0.0\n)\n\n" +
			"replace example.com/tools => ../../tools\n",
		"apps/api/main.go": "package main\n",
		// the worker's replace applies to the api's requirement too
		"apps/worker/go.mod":                      "module example.com/worker\n\ngo 1.26\n\nreplace example.com/fork v1.0.0 => ../../forks/fork\n",
		"libs/greet/go.mod":                       "module example.com/greet\n\ngo 1.26\n",
		"third_party/forks/money/v2/go.mod":       "module example.com/money\n\ngo 1.26\n\nrequire example.com/greet v0.0.0\n\nreplace example.com/x => ../x\n",
		"forks/fork/go.mod":                       "module example.com/fork\n\ngo 1.26\n",
		"tools/go.mod":                            "module example.com/tools\n\ngo 1.26\n",
		"third_party/forks/money/v2/money.go":     "package money\n",
		"third_party/forks/money/v2/x/go.mod.bak": "",
	}
	p, warnings, err := fill(t, "app: apps/api\n", files)
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.DeepEqual(scope(p), []string{
		"apps/api  # preset go: go.work: the app's module",
		"third_party/forks/money/v2  # preset go: go.work: apps/api/go.mod requires example.com/money, which go.work replaces with ./third_party/forks/money/v2 (third_party/forks/money/v2)",
		"forks/fork  # preset go: go.work: apps/api/go.mod requires example.com/fork, which apps/worker/go.mod replaces with ../../forks/fork (forks/fork)",
		"tools  # preset go: go.work: apps/api/go.mod replaces example.com/tools with ../../tools (tools)",
		"libs/greet  # preset go: go.work: third_party/forks/money/v2/go.mod requires example.com/greet (libs/greet)",
		"go.work  # preset go: the workspace file go reads",
	}), "a replacement's own replace directives do not apply")
}

// TestWorkspaceScopeVendor: go work vendor's folder is what go builds from.
func TestWorkspaceScopeVendor(t *testing.T) {
	files := workspace()
	files["vendor/modules.txt"] = "# github.com/go-chi/chi/v5 v5.5.0\n"
	p, _, err := fill(t, "app: apps/api\n", files)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plan.Values(p.Source.Include), []string{"apps/api", "libs/greet", "go.work", "go.work.sum", "vendor"}))
}

// TestWorkspaceScopeWritten: source.scope: context turns scoping off;
// source.include adds to it; source.scope: workspace stays written when
// the preset cannot tell, and the preset adds what it knows.
func TestWorkspaceScopeWritten(t *testing.T) {
	p, warnings, err := fill(t, "app: apps/api\nsource:\n  scope: context\n", workspace())
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.Equal(p.Source.Scope.Value, plan.ScopeContext))
	assert.Check(t, p.Source.Scope.Written())
	assert.Check(t, is.Len(p.Source.Include, 0))

	p, _, err = fill(t, "app: apps/api\nsource:\n  include: [testdata, libs/greet]\n", workspace())
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plan.Values(p.Source.Include), []string{"testdata", "libs/greet", "apps/api", "go.work", "go.work.sum"}))
	assert.Check(t, p.Source.Include[1].Written(), "the user's entry stays")

	files := workspace()
	files["go.work"] += "use .\n"
	files["go.mod"] = "module example.com/root\n\ngo 1.26\n"
	files["apps/api/go.mod"] += "require example.com/root v0.0.0\n"
	p, warnings, err = fill(t, "app: apps/api\nsource:\n  scope: workspace\n  include: [internal]\n", files)
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.Equal(p.Source.Scope.Value, plan.ScopeWorkspace))
	assert.Check(t, is.DeepEqual(plan.Values(p.Source.Include), []string{"internal", "apps/api", "go.work", "go.work.sum"}))
}

// TestWorkspaceUnscoped: where go.mod files do not tell what the app uses,
// test and build copy the whole context and a warning says why and what
// to do, at the preset line.
func TestWorkspaceUnscoped(t *testing.T) {
	const fix = "or list what the app needs under source.include with source.scope: workspace)"
	cases := []struct {
		name  string
		edit  func(map[string]string)
		app   string
		msg   string
		scope string
	}{
		{"app not used", func(f map[string]string) {
			f["apps/other/go.mod"], f["apps/other/main.go"] = "module example.com/other\n\ngo 1.26\n", "package main\n"
		}, "apps/other", "go.work does not use apps/other, so go vet and go build fail there; test and build copy the whole context, so an edit anywhere reruns them (add it: go work use ./apps/other, " + fix, ""},
		{"unreadable go.mod", func(f map[string]string) { f["apps/worker/go.mod"] = "module x\nrequire (\n" },
			"", "apps/worker/go.mod is not a module file go can read: apps/worker/go.mod:3: syntax error (unterminated block started at apps/worker/go.mod:2:1); test and build copy", ""},
		{"no module line", func(f map[string]string) { f["apps/worker/go.mod"] = "go 1.26\n" },
			"", "apps/worker/go.mod has no module line; test and build", ""},
		{"root module", func(f map[string]string) {
			f["go.work"] += "use .\n"
			f["go.mod"] = "module example.com/root\n\ngo 1.26\n"
			f["apps/api/go.mod"] += "require example.com/root v0.0.0\n"
		}, "", "apps/api/go.mod requires example.com/root (.), the module at the root of the build context, whose packages are the whole context; test and build copy the whole context, so an edit anywhere reruns them (move the root module into a folder of its own, " + fix,
			"go.work: the whole context, as apps/api/go.mod requires example.com/root (.), the module at the root of the build context, whose packages are the whole context"},
		{"replace outside", func(f map[string]string) {
			f["apps/api/go.mod"] += "require example.com/far v1.0.0\nreplace example.com/far => ../../../far\n"
		}, "", "apps/api/go.mod requires example.com/far, which apps/api/go.mod replaces with ../../../far, outside the build context; test and build copy the whole context, so an edit anywhere reruns them (move it into the build context, " + fix, ""},
		{"replacement without go.mod", func(f map[string]string) {
			f["go.work"] += "replace example.com/gone => ./gone\n"
			f["apps/api/go.mod"] += "require example.com/gone v1.0.0\n"
		}, "", "apps/api/go.mod requires example.com/gone, which go.work replaces with ./gone (gone), which has no go.mod in the build context; test", ""},
		{"unrequired import", func(f map[string]string) {
			f["apps/api/main.go"] += "import _ \"example.com/worker/jobs\"\n"
		}, "", "apps/api/main.go imports example.com/worker/jobs of apps/worker, a module of go.work that apps/api/go.mod does not require; test and build copy the whole context, so an edit anywhere reruns them (require it, with a replace to its folder: cd apps/api && go mod edit -require=example.com/worker@v0.0.0 -replace=example.com/worker=../../apps/worker, " + fix, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := workspace()
			tc.edit(files)
			app := tc.app
			if app == "" {
				app = "apps/api"
			}
			p, warnings, err := fill(t, "app: "+app+"\n", files)
			assert.NilError(t, err)
			assert.Check(t, is.Equal(p.Source.Scope.Value, plan.ScopeContext))
			assert.Check(t, is.Equal(p.Source.Scope.Origin.Kind, plan.Preset))
			if tc.scope != "" {
				assert.Check(t, is.Equal(p.Source.Scope.Origin.From, tc.scope))
			}
			assert.Check(t, is.Len(p.Source.Include, 0))
			assert.Assert(t, is.Len(warnings, 1))
			assert.Check(t, is.Equal(warnings[0].Rule, plan.UnscopedWorkspace))
			assert.Check(t, is.Contains(warnings[0].Error(), "Stagefile:2:9: preset go cannot tell which modules of go.work "+app+" uses: "+tc.msg))
		})
	}
}

// TestWorkspaceErrors: what the preset refused before it scoped, it still
// refuses, at the preset line.
func TestWorkspaceErrors(t *testing.T) {
	for name, edit := range map[string]func(map[string]string){
		"go.work is not a workspace file go can read":    func(f map[string]string) { f["go.work"] = "use (\n" },
		"go.work uses ../lib, outside the build context": func(f map[string]string) { f["go.work"] += "use ../lib\n" },
		"go.work uses libs/none, which has no go.mod":    func(f map[string]string) { f["go.work"] += "use ./libs/none\n" },
	} {
		files := workspace()
		edit(files)
		_, _, err := fill(t, "app: apps/api\n", files)
		assert.Check(t, is.ErrorContains(err, "Stagefile:2:9: "+name), name)
	}
}

// TestWorkspaceHostileNames: module paths and folders come from the
// context: no control character reaches an origin or a message, and a
// folder a copy would read as a pattern is not scoped.
func TestWorkspaceHostileNames(t *testing.T) {
	files := workspace()
	files["apps/api/go.mod"] = "module example.com/api\n\ngo 1.26\n\nrequire \"example.com/\\x1b[31mred\" v0.0.0\n\nreplace \"example.com/\\x1b[31mred\" => \"../../libs/\\x1b]0;title\\x07\"\n"
	files["libs/\x1b]0;title\x07/go.mod"] = "module x\n\ngo 1.26\n"
	p, warnings, err := fill(t, "app: apps/api\n", files)
	assert.NilError(t, err)
	assert.Assert(t, is.Len(warnings, 1))
	msg := warnings[0].Error() + p.Source.Scope.Origin.String()
	assert.Check(t, is.Contains(msg, `requires example.com/\x1b[31mred, which apps/api/go.mod replaces with ../../libs/\x1b]0;title\x07 (libs/\x1b]0;title\x07), in a folder whose name has control characters`))
	assert.Check(t, !spec.HasControl(msg), "%q", msg)

	for _, dir := range []string{"libs/a[1]", "libs/*", `libs/a\b`, "!libs"} {
		files := workspace()
		files["go.work"] += "use \"./" + strings.ReplaceAll(dir, `\`, `\\`) + "\"\n"
		files[dir+"/go.mod"] = "module example.com/odd\n\ngo 1.26\n"
		files["apps/api/go.mod"] += "require example.com/odd v0.0.0\n"
		p, warnings, err := fill(t, "app: apps/api\n", files)
		assert.NilError(t, err, dir)
		assert.Check(t, is.Equal(p.Source.Scope.Value, plan.ScopeContext), dir)
		assert.Assert(t, is.Len(warnings, 1), dir)
		assert.Check(t, is.Contains(warnings[0].Error(), "in a folder whose name a copy would read as a pattern"), dir)
	}

	// the app's own folder (main.go is not found by a pattern either: the
	// build is written)
	files = workspace()
	files["go.work"] += "use \"./apps/a[1]\"\n"
	files["apps/a[1]/go.mod"] = "module example.com/a1\n\ngo 1.26\n"
	p, warnings, err = fill(t, "app: \"apps/a[1]\"\nbuild: {run: go build -o bin/a ., outputs: [\"apps/a[1]/bin/a\"]}\nrelease: {entrypoint: [/app/bin/a]}\n", files)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Source.Scope.Value, plan.ScopeContext))
	assert.Assert(t, is.Len(warnings, 1))
	assert.Check(t, is.Contains(warnings[0].Error(), "uses: the app is apps/a[1], in a folder whose name a copy would read as a pattern"))

	// a module path is only ever a message's: the scope holds folders
	files = workspace()
	maps.Copy(files, map[string]string{
		"libs/greet/go.mod": "module \"example.com/greet\\x07\"\n\ngo 1.26\n",
		"apps/api/go.mod":   "module example.com/api\n\ngo 1.26\n\nrequire \"example.com/greet\\x07\" v0.0.0\n",
	})
	p, warnings, err = fill(t, "app: apps/api\n", files)
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.DeepEqual(plan.Values(p.Source.Include), []string{"apps/api", "libs/greet", "go.work", "go.work.sum"}))
	assert.Check(t, is.Equal(p.Source.Include[1].Origin.From, `go.work: apps/api/go.mod requires example.com/greet\x07 (libs/greet)`))
}
