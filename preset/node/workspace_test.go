package node

import (
	"slices"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
)

// acmeWorkspace is a workspace of three apps and three packages: api uses
// logger (TypeScript, built to dist) and shared, shared uses format; web
// uses shared; worker uses none; testing is a dev dependency of api (for
// bun by version, which bun links as npm does: bun.lock says so).
func acmeWorkspace(pm string) map[string][]byte {
	dep := func(name string) string {
		if pm == pnpm || pm == bun && name != "testing" {
			return "workspace:*"
		}
		return "^1.0.0"
	}
	files := map[string][]byte{
		"package.json": []byte(`{"name": "acme", "private": true, "workspaces": ["apps/*", "packages/*"]}`),
		"apps/api/package.json": []byte(`{"name": "@acme/api", "version": "1.0.0", "main": "src/server.js", "scripts": {"test": "node --test", "start": "node src/server.js"},
			"dependencies": {"@acme/logger": "` + dep("") + `", "@acme/shared": "` + dep("") + `"}, "devDependencies": {"@acme/testing": "` + dep("testing") + `"}}`),
		"apps/web/package.json":    []byte(`{"name": "@acme/web", "version": "1.0.0", "scripts": {"start": "node index.js"}, "dependencies": {"@acme/shared": "` + dep("") + `"}}`),
		"apps/worker/package.json": []byte(`{"name": "@acme/worker", "version": "1.0.0", "scripts": {"start": "node index.js"}}`),
		"packages/logger/package.json": []byte(`{"name": "@acme/logger", "version": "1.0.0", "main": "./dist/index.js", "files": ["dist"],
			"scripts": {"build": "tsc -p tsconfig.json"}}`),
		"packages/shared/package.json":  []byte(`{"name": "@acme/shared", "version": "1.0.0", "main": "src/index.js", "dependencies": {"@acme/format": "` + dep("") + `"}}`),
		"packages/format/package.json":  []byte(`{"name": "@acme/format", "version": "1.0.0", "exports": {".": {"import": "./esm/index.js", "require": "./cjs/index.js"}}, "scripts": {"build": "node build.js"}}`),
		"packages/testing/package.json": []byte(`{"name": "@acme/testing", "version": "1.0.0", "main": "index.js"}`),
		"tsconfig.base.json":            []byte(`{}`),
		"README.md":                     []byte(`# not a tool file`),
	}
	switch pm {
	case pnpm:
		files["pnpm-workspace.yaml"] = []byte("packages:\n  - apps/*\n  - packages/*\n")
		link := func(name, dir string) string {
			return "      '" + name + "':\n        specifier: workspace:*\n        version: link:../../packages/" + dir + "\n"
		}
		files["pnpm-lock.yaml"] = []byte("lockfileVersion: '9.0'\nimporters:\n  .: {}\n  apps/api:\n    dependencies:\n" +
			link("@acme/logger", "logger") + link("@acme/shared", "shared") + "    devDependencies:\n" + link("@acme/testing", "testing") +
			"  apps/web:\n    dependencies:\n" + link("@acme/shared", "shared") +
			"  packages/shared:\n    dependencies:\n      '@acme/format':\n        specifier: workspace:*\n        version: link:../format\n")
	case npm:
		files["package-lock.json"] = []byte(`{"lockfileVersion": 3, "packages": {"": {},
			"apps/api": {"dependencies": {"@acme/logger": "^1.0.0", "@acme/shared": "^1.0.0"}, "devDependencies": {"@acme/testing": "^1.0.0"}},
			"packages/shared": {"dependencies": {"@acme/format": "^1.0.0"}},
			"node_modules/@acme/shared": {"resolved": "packages/shared", "link": true}, "node_modules/@acme/logger": {"resolved": "packages/logger", "link": true},
			"node_modules/@acme/format": {"resolved": "packages/format", "link": true}, "node_modules/@acme/testing": {"resolved": "packages/testing", "link": true}}}`)
	case yarn:
		files["yarn.lock"] = []byte("# yarn lockfile v1\n\n")
	case bun:
		// as bun 1.4 writes it for these manifests
		ws := func(dir, name, deps string) string {
			return `"` + dir + `": {"name": "` + name + `", "version": "1.0.0", ` + deps + `},`
		}
		files["bun.lock"] = []byte(`{"lockfileVersion": 2, "configVersion": 1, "workspaces": {"": {"name": "acme"},
			` + ws("apps/api", "@acme/api", `"dependencies": {"@acme/logger": "workspace:*", "@acme/shared": "workspace:*"}, "devDependencies": {"@acme/testing": "^1.0.0"}`) + `
			` + ws("apps/web", "@acme/web", `"dependencies": {"@acme/shared": "workspace:*"}`) + `
			` + ws("apps/worker", "@acme/worker", "") + ws("packages/format", "@acme/format", "") + ws("packages/logger", "@acme/logger", "") + `
			` + ws("packages/shared", "@acme/shared", `"dependencies": {"@acme/format": "workspace:*"}`) + ws("packages/testing", "@acme/testing", "") + `},
		  "packages": {
			"@acme/api": ["@acme/api@workspace:apps/api"], "@acme/format": ["@acme/format@workspace:packages/format"],
			"@acme/logger": ["@acme/logger@workspace:packages/logger"], "@acme/shared": ["@acme/shared@workspace:packages/shared"],
			"@acme/testing": ["@acme/testing@workspace:packages/testing"], "@acme/web": ["@acme/web@workspace:apps/web"],
			"@acme/worker": ["@acme/worker@workspace:apps/worker"],
		  }}`)
	}
	return files
}

// TestWorkspaceScope: an app of a workspace copies its folder, the
// packages it uses (transitively, dev dependencies too) and the root's
// manifest, lockfile and tool files; not the other apps, not a package
// it does not use. Each path says why.
func TestWorkspaceScope(t *testing.T) {
	for _, pm := range []string{npm, yarn, pnpm, bun} {
		t.Run(pm, func(t *testing.T) {
			p, warnings, err := fill(t, "app: apps/api\n", acmeWorkspace(pm), nodeImage)
			assert.NilError(t, err)
			for _, w := range warnings {
				assert.Check(t, w.Rule != plan.UnscopedWorkspace, w.Error())
			}
			assert.Check(t, is.Equal(p.Source.Scope.Value, plan.ScopeWorkspace))
			lock := map[string]string{npm: "package-lock.json", yarn: "yarn.lock", pnpm: "pnpm-lock.yaml", bun: "bun.lock"}[pm]
			want := []string{"apps/api", "packages/format", "packages/logger", "packages/shared", "packages/testing", "package.json", lock}
			if pm == pnpm {
				want = append(want, "pnpm-workspace.yaml")
			}
			want = append(want, "tsconfig.base.json")
			assert.Check(t, is.DeepEqual(plan.Values(p.Source.Include), want))
			for _, v := range p.Source.Include {
				assert.Check(t, v.Origin.From != "", "%s has no origin", v.Value)
			}
			// the packages with a build script, used before used-by
			run := map[string]string{npm: "npm run", yarn: "yarn", pnpm: "pnpm", bun: "bun run"}[pm]
			assert.Check(t, is.Equal(script(p.Build.Workspace), "cd /app/packages/format && "+run+" build && cd /app/packages/logger && "+run+" build"))
			// what ships: the app's own and its production packages' outputs,
			// not the dev-only testing package
			assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"apps/api/src", "packages/format/esm", "packages/format/cjs", "packages/logger/dist", "packages/shared/src"}))
		})
	}
	// web uses shared (and format through it), not logger
	p, _, err := fill(t, "app: apps/web\n", acmeWorkspace(pnpm), nodeImage)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plan.Values(p.Source.Include)[:3], []string{"apps/web", "packages/format", "packages/shared"}))
	// worker uses nothing of the workspace
	p, _, err = fill(t, "app: apps/worker\n", acmeWorkspace(pnpm), nodeImage)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plan.Values(p.Source.Include), []string{"apps/worker", "package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "tsconfig.base.json"}))
	assert.Check(t, p.Build.Workspace == nil)
}

// TestWorkspaceScopeWritten: what the Stagefile writes wins: scope
// context turns scoping off; include adds paths; written outputs are not
// extended; a written build.workspace is kept.
func TestWorkspaceScopeWritten(t *testing.T) {
	p, _, err := fill(t, "app: apps/api\nsource:\n  scope: context\n", acmeWorkspace(pnpm), nodeImage)
	assert.NilError(t, err)
	assert.Check(t, !p.Scoped())
	assert.Check(t, p.Build.Workspace == nil)

	p, _, err = fill(t, "app: apps/api\nsource:\n  include: [fixtures]\nbuild:\n  workspace: make packages\n  outputs: [apps/api/src]\n", acmeWorkspace(pnpm), nodeImage)
	assert.NilError(t, err)
	assert.Check(t, p.Scoped())
	assert.Check(t, is.Equal(plan.Values(p.Source.Include)[0], "fixtures"))
	assert.Check(t, is.Equal(script(p.Build.Workspace), "make packages"))
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"apps/api/src"}))
}

// TestWorkspaceUnscoped: where the manifests cannot tell what the app
// uses, the whole context is copied and a warning says why.
func TestWorkspaceUnscoped(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(map[string][]byte)
		why  string
	}{
		"no such workspace package": {func(f map[string][]byte) {
			f["apps/api/package.json"] = []byte(`{"name": "@acme/api", "dependencies": {"@acme/gone": "workspace:*"}}`)
		}, "@acme/gone is workspace:*, but no workspace package is named so"},
		"escaping link": {func(f map[string][]byte) {
			f["apps/api/package.json"] = []byte(`{"name": "@acme/api", "dependencies": {"x": "link:../../../etc"}}`)
		}, "x points out of the build context"},
		"app not a workspace package": {func(f map[string][]byte) {
			f["package.json"] = []byte(`{"name": "acme", "private": true, "workspaces": ["packages/*"]}`)
			f["pnpm-workspace.yaml"] = []byte("packages: [packages/*]\n")
		}, "apps/api is not one of the workspace's packages (packages/*)"},
		"two packages one name": {func(f map[string][]byte) {
			f["packages/testing/package.json"] = []byte(`{"name": "@acme/shared"}`)
		}, "two workspace packages are named @acme/shared"},
	} {
		t.Run(name, func(t *testing.T) {
			files := acmeWorkspace(pnpm)
			tc.edit(files)
			p, warnings, err := fill(t, "app: apps/api\n", files, nodeImage)
			assert.NilError(t, err)
			assert.Check(t, !p.Scoped())
			found := false
			for _, w := range warnings {
				if w.Rule == plan.UnscopedWorkspace {
					found = true
					assert.Check(t, is.Contains(w.Msg, tc.why))
				}
			}
			assert.Check(t, found, "no UnscopedWorkspace warning")
		})
	}
}

// TestWorkspaceHostileNames: names from the manifests reach the plan
// escaped, and folders reach the build command quoted.
func TestWorkspaceHostileNames(t *testing.T) {
	files := acmeWorkspace(pnpm)
	files["packages/logger/package.json"] = []byte("{\"name\": \"@acme/logger\", \"main\": \"dist/index.js\", \"scripts\": {\"build\": \"tsc\"}}")
	files["packages/$(id) x/package.json"] = []byte("{\"name\": \"evil\\u001b[2J\", \"main\": \"index.js\", \"scripts\": {\"build\": \"x\"}}")
	files["apps/api/package.json"] = []byte("{\"name\": \"@acme/api\", \"main\": \"src/server.js\", \"dependencies\": {\"@acme/logger\": \"workspace:*\", \"evil\\u001b[2J\": \"workspace:*\"}}")
	p, _, err := fill(t, "app: apps/api\n", files, nodeImage)
	assert.NilError(t, err)
	assert.Check(t, is.Contains(script(p.Build.Workspace), "cd '/app/packages/$(id) x' && pnpm build"))
	for _, v := range p.Source.Include {
		assert.Check(t, !strings.ContainsRune(v.Origin.From, 0x1b), "%q", v.Origin.From)
	}
}

// TestCredentialsInLockfile: a lockfile URL with a user, a password or a
// token is a warning, and reaches neither the plan's packages nor their
// download locations.
func TestCredentialsInLockfile(t *testing.T) {
	lock := `{"name": "app", "lockfileVersion": 3, "requires": true, "packages": {"": {"name": "app", "dependencies": {"lib": "^2.0.0"}},
		"node_modules/lib": {"version": "2.0.0", "resolved": "https://ci-bot:TOKEN@npm.corp.example/lib/-/lib-2.0.0.tgz?auth=SECRET", "integrity": "sha512-x"}}}`
	files := map[string][]byte{"package.json": []byte(`{"name": "app", "scripts": {"start": "node server.js", "test": "node --test"}, "dependencies": {"lib": "^2.0.0"}}`),
		"package-lock.json": []byte(lock)}
	p, warnings, err := fill(t, "", files, nodeImage)
	assert.NilError(t, err)
	found := false
	for _, w := range warnings {
		assert.Check(t, !strings.Contains(w.Msg, "ci-bot:TOKEN") && !strings.Contains(w.Msg, "=SECRET"), w.Msg)
		found = found || w.Rule == plan.CredentialsInLockfile
	}
	assert.Check(t, found)
	for _, pkg := range p.Dependencies.Packages {
		assert.Check(t, !strings.Contains(pkg.Download, "ci-bot:TOKEN") && !strings.Contains(pkg.Download, "=SECRET"), pkg.Download)
	}
	assert.Check(t, !strings.Contains(string(p.JSON())+string(p.YAML()), "ci-bot:TOKEN"))
}

// TestBunWorkspace: bun links a workspace package with the workspace:
// protocol, or by version as npm does, and bun.lock says which; a range
// the workspace package's version is not in comes from the registry,
// and the app's scope leaves the package out. The installs are focused on
// the app by folder.
func TestBunWorkspace(t *testing.T) {
	files := acmeWorkspace(bun)
	p, _, err := fill(t, "app: apps/api\n", files, nodeImage)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(script(p.Dependencies.Production), "bun install --frozen-lockfile --production --filter ./apps/api"))
	assert.Check(t, is.Equal(script(p.Dependencies.Development), "bun install --frozen-lockfile --filter ./apps/api --filter ./"))
	why := map[string]string{}
	for _, v := range p.Source.Include {
		why[v.Value] = v.Origin.From
	}
	assert.Check(t, is.Equal(why["packages/logger"], "apps/api/package.json @acme/logger → packages/logger (workspace: protocol)"))
	assert.Check(t, is.Equal(why["packages/testing"], "apps/api/package.json @acme/testing → packages/testing (bun.lock links it)"))

	// ^2.0.0 is not testing's 1.0.0: bun installs it from the registry,
	// under the app's name in bun.lock
	files["apps/api/package.json"] = []byte(strings.Replace(string(files["apps/api/package.json"]), `"@acme/testing": "^1.0.0"`, `"@acme/testing": "^2.0.0"`, 1))
	files["bun.lock"] = []byte(strings.Replace(strings.Replace(string(files["bun.lock"]), `"@acme/testing": "^1.0.0"`, `"@acme/testing": "^2.0.0"`, 1),
		`"@acme/api": ["@acme/api@workspace:apps/api"],`, `"@acme/api": ["@acme/api@workspace:apps/api"], "@acme/api/@acme/testing": ["@acme/testing@2.0.0", "", {}, "sha512-x"],`, 1))
	p, warnings, err := fill(t, "app: apps/api\n", files, nodeImage)
	assert.NilError(t, err)
	for _, w := range warnings {
		assert.Check(t, w.Rule != plan.UnscopedWorkspace, w.Error())
	}
	assert.Check(t, !slices.Contains(plan.Values(p.Source.Include), "packages/testing"), "%v", plan.Values(p.Source.Include))
	assert.Check(t, slices.Contains(plan.Values(p.Source.Include), "packages/logger"))
}
