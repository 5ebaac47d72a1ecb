package golang

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
)

// TestSuggestGoPort: the port the main package names, in any of its
// files; tests and other packages do not count.
func TestSuggestGoPort(t *testing.T) {
	p := &plan.Plan{App: plan.Value[string]{Value: ".", Origin: plan.Origin{Kind: plan.Default}}}
	p.Build.Outputs = []plan.Value[string]{{Value: "bin/api", Origin: plan.Origin{Kind: plan.Preset}}}
	for _, tc := range []struct {
		files map[string]string
		want  []string
	}{
		{map[string]string{"cmd/api/main.go": "package main\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n"}, []string{"8080"}},
		{map[string]string{"main.go": "package main\nfunc main() {\n\tport := os.Getenv(\"PORT\")\n\tif port == \"\" {\n\t\tport = \"9090\"\n\t}\n}\n"}, []string{"9090"}},
		{map[string]string{"main.go": "package main\nvar addr = flag.String(\"addr\", \":7000\", \"listen on\")\n"}, []string{"7000"}},
		{map[string]string{"main.go": "package main\n", "main_test.go": "package main\nvar _ = \":1234\"\n", "internal/x.go": "package x\nvar _ = \":4321\"\n"}, nil},
	} {
		files := map[string][]byte{}
		for k, v := range tc.files {
			files[k] = []byte(v)
		}
		var got []string
		for _, s := range (Provider{}).Suggest(p, files) {
			if s.Field == "release.expose" {
				got = s.Values
			} else {
				assert.Check(t, is.DeepEqual(s.Values, []string{"bin/api"}))
			}
		}
		assert.Check(t, is.DeepEqual(got, tc.want), "%v", tc.files)
	}
}

// TestWorkModules: the modules go.work uses; those with a main package
// are the apps.
func TestWorkModules(t *testing.T) {
	files := map[string][]byte{
		"go.work":             []byte("go 1.26\n\nuse (\n\t./apps/api\n\t./tools\n\t./libs/greet\n\t../outside\n)\n"),
		"apps/api/go.mod":     []byte("module example.com/api\n"),
		"apps/api/main.go":    []byte("package main\n"),
		"tools/go.mod":        []byte("module example.com/tools\n"),
		"tools/cmd/a/main.go": []byte("package main\n"),
		"tools/cmd/b/main.go": []byte("package main\n"),
		"libs/greet/go.mod":   []byte("module example.com/greet\n"),
		"libs/greet/greet.go": []byte("package greet\n"),
	}
	assert.Check(t, is.Contains((Provider{}).WorkspaceFiles(files), "apps/api/cmd/*/*.go"))
	w := (Provider{}).Workspace(files)
	assert.Assert(t, w != nil)
	assert.Check(t, is.DeepEqual(w.Packages, []plan.WorkspacePackage{
		{Dir: "apps/api", Start: "package main (the module's root)"},
		{Dir: "libs/greet"},
		{Dir: "tools", Start: "package main (cmd/a, cmd/b)"},
	}))
	assert.Check(t, (Provider{}).Workspace(map[string][]byte{"go.mod": []byte("module x\n")}) == nil)
}
