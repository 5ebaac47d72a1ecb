package python

import (
	"fmt"
	"path"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
)

// wsLock and wsPyprojects are the fixture workspace of the tests below, locked by uv 0.13.9 (the wheels
// and sdists of uv.lock left out: the preset does not read them).

const wsLock = `version = 1
revision = 5
requires-python = ">=3.11"

[manifest]
members = [
    "acme-api",
    "acme-core",
    "acme-shared",
    "acme-speedups",
    "acme-testing",
    "acme-worker",
]

[[package]]
name = "acme-api"
version = "0.1.0"
source = { editable = "packages/api" }
dependencies = [
    { name = "acme-shared", extra = ["fast"] },
    { name = "six" },
]

[package.dev-dependencies]
dev = [
    { name = "acme-testing" },
    { name = "pytest" },
]

[package.metadata]
requires-dist = [
    { name = "acme-shared", extras = ["fast"], editable = "packages/shared" },
    { name = "six", specifier = ">=1.16" },
]

[package.metadata.requires-dev]
dev = [
    { name = "acme-testing", editable = "packages/testing" },
    { name = "pytest", specifier = ">=8" },
]

[[package]]
name = "acme-core"
version = "0.1.0"
source = { editable = "libs/core" }

[[package]]
name = "acme-shared"
version = "0.1.0"
source = { editable = "packages/shared" }
dependencies = [
    { name = "acme-core" },
]

[package.optional-dependencies]
fast = [
    { name = "acme-speedups" },
]

[package.metadata]
requires-dist = [
    { name = "acme-core", editable = "libs/core" },
    { name = "acme-speedups", marker = "extra == 'fast'", editable = "packages/speedups" },
]
provides-extras = ["fast"]

[[package]]
name = "acme-speedups"
version = "0.1.0"
source = { editable = "packages/speedups" }

[[package]]
name = "acme-testing"
version = "0.1.0"
source = { editable = "packages/testing" }
dependencies = [
    { name = "pytest" },
]

[package.metadata]
requires-dist = [{ name = "pytest", specifier = ">=8" }]

[[package]]
name = "acme-worker"
version = "0.1.0"
source = { editable = "packages/worker" }
dependencies = [
    { name = "idna" },
]

[package.metadata]
requires-dist = [{ name = "idna", specifier = ">=3" }]

[[package]]
name = "colorama"
version = "0.4.6"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "idna"
version = "3.21"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "iniconfig"
version = "2.3.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "packaging"
version = "26.4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pluggy"
version = "1.7.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pygments"
version = "2.21.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "9.2.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "colorama", marker = "sys_platform == 'win32'" },
    { name = "iniconfig" },
    { name = "packaging" },
    { name = "pluggy" },
    { name = "pygments" },
]

[[package]]
name = "six"
version = "1.17.0"
source = { registry = "https://pypi.org/simple" }
`

var wsPyprojects = map[string]string{
	"pyproject.toml": `[tool.uv.workspace]
members = ["packages/*", "libs/core"]
exclude = ["packages/legacy"]
`,
	"packages/api/pyproject.toml": `[project]
name = "acme-api"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["acme-shared[fast]", "six>=1.16"]

[project.scripts]
acme-api = "api.main:main"

[dependency-groups]
dev = ["pytest>=8", "acme-testing"]

[tool.uv.sources]
acme-shared = { workspace = true }
acme-testing = { workspace = true }

[build-system]
requires = ["uv_build>=0.9,<0.14"]
build-backend = "uv_build"
[tool.uv.build-backend]
module-name = "api"
`,
	"packages/shared/pyproject.toml": `[project]
name = "acme-shared"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["acme-core"]

[project.optional-dependencies]
fast = ["acme-speedups"]

[tool.uv.sources]
acme-core = { workspace = true }
acme-speedups = { workspace = true }

[build-system]
requires = ["uv_build>=0.9,<0.14"]
build-backend = "uv_build"
`,
	"libs/core/pyproject.toml": `[project]
name = "acme-core"
version = "0.1.0"
requires-python = ">=3.11"

[build-system]
requires = ["uv_build>=0.9,<0.14"]
build-backend = "uv_build"
`,
	"packages/speedups/pyproject.toml": `[project]
name = "acme-speedups"
version = "0.1.0"
requires-python = ">=3.11"

[build-system]
requires = ["uv_build>=0.9,<0.14"]
build-backend = "uv_build"
`,
	"packages/testing/pyproject.toml": `[project]
name = "acme-testing"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["pytest>=8"]

[build-system]
requires = ["uv_build>=0.9,<0.14"]
build-backend = "uv_build"
`,
	"packages/worker/pyproject.toml": `[project]
name = "acme-worker"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["idna>=3"]

[build-system]
requires = ["uv_build>=0.9,<0.14"]
build-backend = "uv_build"
`,
	"packages/legacy/pyproject.toml": `[project]
name = "acme-legacy"
version = "0.1.0"
`,
}

// workspaceFiles is the fixture workspace as a context: packages/api (src
// layout) uses packages/shared[fast] (flat), which uses libs/core (src) and,
// through the extra, packages/speedups; its tests use packages/testing;
// packages/worker is used by nobody and packages/legacy is excluded.
func wsFiles() map[string]string {
	files := map[string]string{"uv.lock": wsLock, ".python-version": "3.11\n", "pytest.ini": "[pytest]\n", "conftest.py": "", "ruff.toml": "",
		"README.md": "", "packages/api/src/api/__init__.py": "", "packages/api/src/api/main.py": "", "packages/api/tests/test_api.py": "",
		"packages/shared/shared/__init__.py": "", "packages/shared/tests/__init__.py": "", "libs/core/src/core/__init__.py": "",
		"packages/speedups/speedups/__init__.py": "", "packages/testing/src/acme_testing/__init__.py": "", "packages/worker/worker/__init__.py": ""}
	for name, dt := range wsPyprojects {
		files[name] = dt
	}
	return files
}

func includes(p *plan.Plan) map[string]string {
	out := map[string]string{}
	for _, v := range p.Source.Include {
		out[v.Value] = v.Origin.String()
	}
	return out
}

func envOf(vars []plan.Var) map[string]string {
	out := map[string]string{}
	for _, v := range vars {
		out[v.Name] = v.Value
	}
	return out
}

// TestWorkspaceInstalls: the installs read the manifests only (the root's,
// uv.lock and every member's pyproject.toml) and sync what the app's member
// needs, by the [project] name it declares, without any member.
func TestWorkspaceInstalls(t *testing.T) {
	p, warnings, err := fill(t, "app: packages/api\n", wsFiles(), slim)
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0), "%v", warnings)
	d := p.Dependencies
	assert.Check(t, is.DeepEqual(plan.Values(d.Manifests), []string{"pyproject.toml", "uv.lock", ".python-version", "libs/core/pyproject.toml",
		"packages/api/pyproject.toml", "packages/shared/pyproject.toml", "packages/speedups/pyproject.toml", "packages/testing/pyproject.toml",
		"packages/worker/pyproject.toml"}), "every member's but the excluded one")
	assert.Check(t, is.Equal(cmdScript(d.Production), "uv sync --frozen --no-dev --package acme-api --no-install-workspace --compile-bytecode"))
	assert.Check(t, is.Equal(cmdScript(d.Development), "uv sync --frozen --package acme-api --no-install-workspace"))
	assert.Check(t, is.Equal(d.Production.Origin.String(), "preset python: uv.lock → uv, for the workspace member packages/api (--package: its [project] name)"))
	// what the release does not run stays out of it
	assert.Check(t, is.DeepEqual(plan.Values(d.Unshipped), []string{"uv.lock", "packages/testing/pyproject.toml", "packages/worker/pyproject.toml"}))
	assert.Check(t, is.Equal(cmdScript(p.Test.Run), "python -m pytest"))
	assert.Check(t, is.Equal(p.Test.Run.Origin.From, "pytest is in packages/api/pyproject.toml dependency-groups.dev"))
	assert.Check(t, is.Equal(p.AppDir(), "/app/packages/api"), "tests, build and release run in the member's folder")
	assert.Check(t, is.Equal(p.Image.Value, "python:3.11-slim-bookworm"))

	// the app's default groups decide what the production install leaves out
	files := wsFiles()
	files["packages/api/pyproject.toml"] += "\n[tool.uv]\ndefault-groups = [\"dev\"]\n"
	p, _, err = fill(t, "app: packages/api\n", files, slim)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(cmdScript(p.Dependencies.Production), "uv sync --frozen --no-default-groups --package acme-api --no-install-workspace --compile-bytecode"))

	// without requires-python at the root, the app's picks the image
	files = wsFiles()
	delete(files, ".python-version")
	p, _, err = fill(t, "app: packages/api\n", files, slim)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Image.Origin.From, "the newest Python line (3.14) that packages/api/pyproject.toml requires-python >=3.11 accepts"))
}

// TestWorkspaceScope: test and build see the app's folder, the members it
// uses (at run time, through extras, and for its tests), the root's
// manifests and the tool settings pytest, ruff and mypy read; not the
// member nobody uses, nor the rest of the context.
func TestWorkspaceScope(t *testing.T) {
	p, _, err := fill(t, "app: packages/api\n", wsFiles(), slim)
	assert.NilError(t, err)
	assert.Check(t, p.Scoped())
	assert.Check(t, is.Equal(p.Source.Scope.Origin.Kind, plan.Preset))
	assert.Check(t, is.DeepEqual(plan.Values(p.Source.Include), []string{"packages/api", "libs/core", "packages/shared", "packages/speedups",
		"packages/testing", "pyproject.toml", "uv.lock", ".python-version", "pytest.ini", "conftest.py", "ruff.toml"}))
	in := includes(p)
	assert.Check(t, is.Equal(in["packages/api"], "preset python: the app"))
	assert.Check(t, is.Equal(in["packages/shared"], "preset python: uv.lock: acme-api → acme-shared, the workspace member in packages/shared"))
	assert.Check(t, is.Equal(in["libs/core"], "preset python: uv.lock: acme-api → acme-shared → acme-core, the workspace member in libs/core"))
	assert.Check(t, is.Equal(in["packages/speedups"], "preset python: uv.lock: acme-api → acme-shared → acme-speedups, the workspace member in packages/speedups"), "through the extra fast")
	assert.Check(t, is.Equal(in["packages/testing"], "preset python: uv.lock: acme-api (group dev) → acme-testing, the workspace member in packages/testing"))
	assert.Check(t, is.Equal(in["pytest.ini"], "preset python: pytest's settings, which pytest looks for from the app's folder up"))
	assert.Check(t, is.Equal(in["ruff.toml"], "preset python: ruff's settings, which ruff looks for from the app's folder up"))
	// the tests import every member they use from the source
	assert.Check(t, is.Equal(envOf(p.Env)["PYTHONPATH"], "/app/packages/api/src:/app/libs/core/src:/app/packages/shared:/app/packages/speedups:/app/packages/testing/src"))

	// what the Stagefile writes under source.include stays
	p, _, err = fill(t, "app: packages/api\nsource:\n  include: [fixtures]\n", wsFiles(), slim)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Source.Include[0].Value, "fixtures"))
	assert.Check(t, p.Source.Include[0].Origin.Kind == plan.Stagefile)
	assert.Check(t, is.Contains(plan.Values(p.Source.Include), "packages/shared"))

	// source.scope: context turns it off, and the preset says nothing
	p, warnings, err := fill(t, "app: packages/api\nsource:\n  scope: context\n", wsFiles(), slim)
	assert.NilError(t, err)
	assert.Check(t, !p.Scoped())
	assert.Check(t, is.Len(p.Source.Include, 0))
	assert.Check(t, is.Equal(p.Source.Scope.Origin.Kind, plan.Stagefile))
	assert.Check(t, is.Len(warnings, 0))

	// the worker uses no other member
	p, _, err = fill(t, "app: packages/worker\n", wsFiles(), slim)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plan.Values(p.Source.Include), []string{"packages/worker", "pyproject.toml", "uv.lock", ".python-version", "pytest.ini", "conftest.py", "ruff.toml"}))
	_, ok := plan.Lookup(p.Env, "PYTHONPATH")
	assert.Check(t, !ok, "a flat app is found in its folder, where the steps run")
}

// TestWorkspaceRelease: the release runs the app with the members it uses
// at run time: the production install holds none of them (the venv has
// their dependencies only), so their packages ship from the source beside
// the app's, every one on PYTHONPATH, and the start runs in the app's
// folder. The members only its tests use do not ship.
func TestWorkspaceRelease(t *testing.T) {
	p, _, err := fill(t, "app: packages/api\n", wsFiles(), slim)
	assert.NilError(t, err)
	assert.Check(t, p.HasDependencyLayer(), "the venv, from the production install")
	assert.Check(t, is.Contains(cmdScript(p.Dependencies.Production), "--no-install-workspace"), "no member is installed in it")
	outs := plan.Values(p.Build.Outputs)
	assert.Check(t, is.DeepEqual(outs, []string{"packages/api/src/api", "libs/core/src/core", "packages/shared/shared", "packages/speedups/speedups"}))
	assert.Check(t, is.Equal(p.Build.Outputs[2].Origin.From, "a package of a workspace member the app uses at run time, uv.lock: acme-api → acme-shared"))
	pythonPath := envOf(p.Release.Env)["PYTHONPATH"]
	assert.Check(t, is.Equal(pythonPath, "/app/packages/api/src:/app/libs/core/src:/app/packages/shared:/app/packages/speedups"))
	// every package shipped is importable: its folder's parent is on
	// PYTHONPATH, and every entry there holds a shipped package
	roots := strings.Split(pythonPath, ":")
	for _, o := range outs {
		assert.Check(t, is.Contains(roots, path.Join("/app", path.Dir(o))), o)
	}
	for _, r := range roots {
		found := false
		for _, o := range outs {
			found = found || path.Join("/app", path.Dir(o)) == r
		}
		assert.Check(t, found, r)
	}
	assert.Check(t, is.DeepEqual(p.Release.Entrypoint.Value, []string{"/app/.venv/bin/python", "-c",
		`import sys; sys.argv[0] = "acme-api"; from api.main import main; sys.exit(main())`}))
	assert.Check(t, is.Equal(p.Release.Entrypoint.Origin.From, "packages/api/pyproject.toml project.scripts acme-api = api.main:main"))
	assert.Check(t, is.Equal(p.AppDir(), "/app/packages/api"), "the release's working directory")

	// a flat app: its package in its folder, which is the working
	// directory python puts first on sys.path
	files := wsFiles()
	delete(files, "packages/api/src/api/__init__.py")
	files["packages/api/api/__init__.py"] = ""
	p, _, err = fill(t, "app: packages/api\n", files, slim)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(plan.Values(p.Build.Outputs)[0], "packages/api/api"))
	assert.Check(t, is.Equal(envOf(p.Release.Env)["PYTHONPATH"], "/app/libs/core/src:/app/packages/shared:/app/packages/speedups"))

	// a member with no package to find: said, with the fix
	files = wsFiles()
	delete(files, "libs/core/src/core/__init__.py")
	_, warnings, err := fill(t, "app: packages/api\n", files, slim)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(rules(warnings), []string{"NoAppCode"}))
	assert.Check(t, is.Contains(warnings[0].Error(), "the release gets none of the code of libs/core, a workspace member the app uses at run time"))

	// written outputs win; PYTHONPATH still finds the members
	p, _, err = fill(t, "app: packages/api\nbuild:\n  outputs: [packages/api/src/api, packages/shared/shared]\n", wsFiles(), slim)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"packages/api/src/api", "packages/shared/shared"}))
	assert.Check(t, is.Contains(envOf(p.Release.Env)["PYTHONPATH"], "/app/packages/shared"))
}

// TestWorkspaceFallback: when the closure is the whole context (the app
// uses the workspace's root project), the scope stays the context, and
// UnscopedWorkspace says why and what to do.
func TestWorkspaceFallback(t *testing.T) {
	files := wsFiles()
	files["pyproject.toml"] = "[project]\nname = \"acme\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\n" + files["pyproject.toml"]
	files["acme/__init__.py"] = ""
	files["uv.lock"] = strings.Replace(files["uv.lock"], `dependencies = [
    { name = "acme-core" },
]`, `dependencies = [
    { name = "acme" },
    { name = "acme-core" },
]`, 1) + `
[[package]]
name = "acme"
version = "0.1.0"
source = { editable = "." }
`
	p, warnings, err := fill(t, "app: packages/api\n", files, slim)
	assert.NilError(t, err)
	assert.Check(t, !p.Scoped())
	assert.Check(t, is.Equal(p.Source.Scope.Value, plan.ScopeContext))
	assert.Check(t, is.Equal(p.Source.Scope.Origin.String(), "preset python: uv.lock: acme-api → acme-shared → acme, the workspace's root project, whose folder is the whole context"))
	assert.Check(t, is.DeepEqual(rules(warnings), []string{"UnscopedWorkspace"}))
	assert.Check(t, is.Contains(warnings[0].Error(), "Stagefile:2:9: uv.lock: acme-api → acme-shared → acme, the workspace's root project, whose folder is the whole context: test and build copy the whole context, so an edit anywhere reruns them (move the root project's code into a member folder of its own, or list what the app needs under source.include with source.scope: workspace)"))
	// its package ships too, found at the root
	assert.Check(t, is.Contains(plan.Values(p.Build.Outputs), "acme"))
	assert.Check(t, is.Contains(envOf(p.Release.Env)["PYTHONPATH"], "/app:"))

	// with source.scope: workspace written, the Stagefile decided
	p, warnings, err = fill(t, "app: packages/api\nsource:\n  scope: workspace\n  include: [acme]\n", files, slim)
	assert.NilError(t, err)
	assert.Check(t, p.Scoped())
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.Contains(plan.Values(p.Source.Include), "packages/shared"))
}

// TestWorkspaceUnsupported: poetry, pip and a uv project that is no
// workspace say at the app line what they cannot do.
func TestWorkspaceUnsupported(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		msg   string
	}{
		{"poetry", map[string]string{"pyproject.toml": pyprojectPoetry, "poetry.lock": poetryLockFile},
			"Stagefile:3:6: preset python builds an app of a workspace with uv only (a root pyproject.toml with [tool.uv.workspace] and uv.lock); poetry (poetry.lock) has no workspaces, so app packages/api is not supported (build the project from its own folder, with its own lockfile)"},
		{"pip", map[string]string{"requirements.txt": requirements},
			"Stagefile:3:6: preset python builds an app of a workspace with uv only (a root pyproject.toml with [tool.uv.workspace] and uv.lock); pip (requirements.txt) has no workspaces"},
		{"uv without a workspace", map[string]string{"pyproject.toml": pyprojectUv, "uv.lock": uvLockFile},
			"Stagefile:3:6: app packages/api is no member of a uv workspace: the root pyproject.toml has no [tool.uv.workspace] (add one whose members include packages/api, or build the project from its own folder)"},
		{"not a member", func() map[string]string {
			f := wsFiles()
			f["pyproject.toml"] = strings.Replace(f["pyproject.toml"], `"packages/*", `, "", 1)
			return f
		}(), "Stagefile:3:6: app packages/api is not a member of the uv workspace (pyproject.toml [tool.uv.workspace] members: libs/core; the members are: libs/core) (set app to a member's folder, or add it to members)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := fill(t, "app: packages/api\n", tc.files, slim)
			assert.Check(t, is.ErrorContains(err, tc.msg))
		})
	}
	_, _, err := fill(t, "app: packages/legacy\n", wsFiles(), slim)
	assert.Check(t, is.ErrorContains(err, "app packages/legacy is not a member of the uv workspace"), "excluded")
}

// TestWorkspaceHostile: globs that leave the context, names that are not
// package names, member folders and lockfile entries with control
// characters, a lockfile out of sync with a member: errors at the preset
// line, their context values escaped, before anything runs.
func TestWorkspaceHostile(t *testing.T) {
	root := func(members string) map[string]string {
		f := wsFiles()
		f["pyproject.toml"] = strings.Replace(f["pyproject.toml"], `members = ["packages/*", "libs/core"]`, "members = "+members, 1)
		return f
	}
	cases := []struct {
		name  string
		files map[string]string
		msg   string
	}{
		{"glob escapes", root(`["packages/*", "../*"]`), `pyproject.toml [tool.uv.workspace] members entry "../*" is not a folder inside the build context`},
		{"glob escapes after cleaning", root(`["packages/../../etc"]`), `members entry "packages/../../etc" is not a folder inside the build context`},
		{"absolute glob", root(`["/etc/*"]`), `members entry "/etc/*" is not a folder inside the build context`},
		{"glob with control characters", root(`["packages/*\u001b[31m"]`), `members entry "packages/*\x1b[31m" holds control characters`},
		{"recursive glob", root(`["packages/**"]`), `members entry "packages/**" uses **, which preset python does not expand`},
		{"bad glob", root(`["packages/[a"]`), `members entry "packages/[a" is not a glob preset python can read`},
		{"bad exclude", func() map[string]string {
			f := wsFiles()
			f["pyproject.toml"] = strings.Replace(f["pyproject.toml"], `exclude = ["packages/legacy"]`, `exclude = ["../x"]`, 1)
			return f
		}(), `pyproject.toml [tool.uv.workspace] exclude entry "../x" is not a folder inside the build context`},
		{"name with shell characters", func() map[string]string {
			f := wsFiles()
			f["packages/api/pyproject.toml"] = strings.Replace(f["packages/api/pyproject.toml"], `name = "acme-api"`, `name = "acme-api; rm -rf /"`, 1)
			return f
		}(), `packages/api/pyproject.toml [project] name "acme-api; rm -rf /" is not a package name`},
		{"name with control characters", func() map[string]string {
			f := wsFiles()
			f["packages/api/pyproject.toml"] = strings.Replace(f["packages/api/pyproject.toml"], `name = "acme-api"`, `name = "acme\u0007api"`, 1)
			return f
		}(), `packages/api/pyproject.toml [project] name "acme\x07api" is not a package name`},
		{"no name", func() map[string]string {
			f := wsFiles()
			f["packages/api/pyproject.toml"] = strings.Replace(f["packages/api/pyproject.toml"], `name = "acme-api"`, ``, 1)
			return f
		}(), `packages/api/pyproject.toml has no [project] name`},
		{"member folder with control characters", func() map[string]string {
			f := wsFiles()
			f["packages/x\x1b]0;owned\x07/pyproject.toml"] = "[project]\nname = \"x\"\n"
			return f
		}(), `the workspace member folder "packages/x\x1b]0;owned\x07" holds control characters`},
		{"member folder that is a pattern", func() map[string]string {
			f := wsFiles()
			f["packages/[x]/pyproject.toml"] = "[project]\nname = \"x\"\n"
			return f
		}(), `the workspace member folder "packages/[x]" holds control characters or *, ? or [`},
		{"app not locked", func() map[string]string {
			f := wsFiles()
			f["uv.lock"] = strings.Replace(f["uv.lock"], `source = { editable = "packages/api" }`, `source = { editable = "packages/other" }`, 1)
			return f
		}(), `uv.lock is out of sync with the workspace: it does not record acme-api (packages/api) (run uv lock and commit uv.lock)`},
		{"member out of sync", func() map[string]string {
			f := wsFiles()
			f["packages/shared/pyproject.toml"] = strings.Replace(f["packages/shared/pyproject.toml"], `dependencies = ["acme-core"]`, `dependencies = ["acme-core", "httpx>=0.27"]`, 1)
			return f
		}(), `uv.lock is out of sync with packages/shared/pyproject.toml: it does not record httpx>=0.27 (project.dependencies) (run uv lock and commit uv.lock)`},
		{"local package outside the workspace", func() map[string]string {
			f := wsFiles()
			f["uv.lock"] = strings.Replace(f["uv.lock"], `source = { editable = "libs/core" }`, "source = { directory = \"../core\\u001b[2J\" }", 1)
			return f
		}(), `uv.lock installs acme-core from ../core\x1b[2J, a local folder that is not a member of the workspace: the installs see the manifests only and cannot build it`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := fill(t, "app: packages/api\n", tc.files, slim)
			assert.Assert(t, err != nil)
			assert.Check(t, is.Contains(err.Error(), "Stagefile:2:9: "), "at the preset line")
			assert.Check(t, is.Contains(err.Error(), tc.msg))
			for _, r := range err.Error() {
				assert.Check(t, r >= 0x20 && r != 0x7f, "%q", err.Error())
			}
		})
	}

	// a name that passes is still quoted by the command line
	assert.Check(t, is.Equal(cmdScript(argvOf([]string{"uv", "sync", "--package", "a.b-c_d"})), "uv sync --package a.b-c_d"))
	// an app folder that is a pattern reads nothing of the workspace
	names := Provider{}.Files(&plan.Plan{App: plan.Value[string]{Value: "packages/*"}}, nil)
	assert.Check(t, !strings.Contains(fmt.Sprint(names), "packages/*/"), "%v", names)
}
