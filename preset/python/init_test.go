package python

import (
	"path"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
)

// suggest runs Suggest as stagefile init does, from a context's files
// (wildcards matched with path.Match).
func suggest(t *testing.T, p *plan.Plan, context map[string]string) map[string]plan.Suggestion {
	t.Helper()
	read := map[string][]byte{}
	for range plan.SuggestRounds {
		for _, n := range (Provider{}).SuggestFiles(p, read) {
			for name, dt := range context {
				if ok, _ := path.Match(n, name); ok {
					read[name] = []byte(dt)
				}
			}
		}
	}
	out := map[string]plan.Suggestion{}
	for _, s := range (Provider{}).Suggest(p, read) {
		out[s.Field] = s
	}
	return out
}

func appPlan(app string) *plan.Plan {
	return &plan.Plan{App: plan.Value[string]{Value: app, Origin: plan.Origin{Kind: plan.Default}}}
}

const uvProject = `[project]
name = "orders"
dependencies = ["fastapi"]
[project.scripts]
orders = "orders.main:main"
`

// TestSuggestPort: the port the console script's module names, else its
// server's default.
func TestSuggestPort(t *testing.T) {
	for _, tc := range []struct{ code, want string }{
		{`port = int(os.environ.get("PORT", "8080"))`, "8080"},
		{`uvicorn.run(app, host="0.0.0.0", port=9000)`, "9000"},
		{"import uvicorn\nuvicorn.run(app)", "8000"},
		{"from flask import Flask\napp = Flask(__name__)\napp.run()", "5000"},
		{`srv = ThreadingHTTPServer(("", 8081), Handler)`, "8081"},
	} {
		s := suggest(t, appPlan("."), map[string]string{"pyproject.toml": uvProject, "uv.lock": "", "src/orders/main.py": tc.code, "src/orders/__init__.py": ""})
		assert.Check(t, is.DeepEqual(s["release.expose"].Values, []string{tc.want}), tc.code)
		assert.Check(t, !s["release.expose"].Unsure, tc.code)
	}
}

// TestSuggestNoScript: no console script: the packages at the root are
// the app's code (what NoAppCode asks for); the command the preset
// suggests, and its port, are commented out.
func TestSuggestNoScript(t *testing.T) {
	s := suggest(t, appPlan("."), map[string]string{
		"requirements.txt": "flask==3.0.0\ngunicorn==23.0.0\n", "greeter/__init__.py": "", "tests/__init__.py": "", "setup.py": "",
	})
	assert.Check(t, is.DeepEqual(s["build.outputs"].Values, []string{"greeter"}))
	assert.Check(t, !s["build.outputs"].Unsure)
	assert.Check(t, s["release.cmd"].Unsure)
	assert.Check(t, is.DeepEqual(s["release.cmd"].Values, []string{"gunicorn", "--bind", "0.0.0.0:8000", "greeter:app"}))
	assert.Check(t, is.DeepEqual(s["release.expose"].Values, []string{"8000"}))
	assert.Check(t, s["release.expose"].Unsure)

	s = suggest(t, appPlan("."), map[string]string{"requirements.txt": "", "app.py": "", "conftest.py": "", "test_app.py": ""})
	assert.Check(t, is.DeepEqual(s["build.outputs"].Values, []string{"app.py"}))
	assert.Check(t, is.DeepEqual(s["release.cmd"].Values, []string{"python", "-m", "app"}))
}

// TestWorkspaceMembers: members with a console script or a main module
// are the apps.
func TestWorkspaceMembers(t *testing.T) {
	files := map[string][]byte{
		"pyproject.toml":                   []byte("[tool.uv.workspace]\nmembers = [\"packages/*\"]\nexclude = [\"packages/old\"]\n"),
		"packages/api/pyproject.toml":      []byte(uvProject),
		"packages/lib/pyproject.toml":      []byte("[project]\nname = \"lib\"\n"),
		"packages/job/pyproject.toml":      []byte("[project]\nname = \"job\"\n"),
		"packages/job/src/job/__main__.py": []byte(""),
		"packages/old/pyproject.toml":      []byte(uvProject),
		"elsewhere/pyproject.toml":         []byte(uvProject),
	}
	assert.Check(t, is.Contains((Provider{}).WorkspaceFiles(files), "packages/*/pyproject.toml"))
	w := (Provider{}).Workspace(files)
	assert.Assert(t, w != nil)
	assert.Check(t, is.DeepEqual(w.Packages, []plan.WorkspacePackage{
		{Dir: "packages/api", Start: "project.scripts orders = orders.main:main"},
		{Dir: "packages/job", Start: "a main module (src/job/__main__.py)"},
		{Dir: "packages/lib"},
	}))
	assert.Check(t, (Provider{}).Workspace(map[string][]byte{"pyproject.toml": []byte(uvProject)}) == nil)
}
