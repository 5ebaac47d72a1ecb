package node

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stagefile/stagefile/plan"
)

// monorepo is a pnpm workspace of apps that declare n locked dependencies
// between them, lockfile v9 with importers, packages and snapshots, as
// pnpm writes it.
func monorepo(n int) map[string][]byte {
	var lock, pkgs, snaps strings.Builder
	lock.WriteString("lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n\nimporters:\n\n  .:\n    devDependencies:\n      typescript:\n        specifier: ^5.6.0\n        version: 5.6.3\n")
	files := map[string][]byte{"pnpm-workspace.yaml": []byte("packages:\n  - apps/*\n")}
	apps := 20
	for a := range apps {
		dir := fmt.Sprintf("apps/app%d", a)
		fmt.Fprintf(&lock, "\n  %s:\n    dependencies:\n", dir)
		deps := map[string]string{}
		for i := a; i < n; i += apps {
			name := fmt.Sprintf("@scope/package-%d", i)
			fmt.Fprintf(&lock, "      '%s':\n        specifier: ^1.%d.0\n        version: 1.%d.3\n", name, i, i)
			deps[name] = fmt.Sprintf("^1.%d.0", i)
		}
		var b strings.Builder
		fmt.Fprintf(&b, `{"name": "app%d", "dependencies": {`, a)
		first := true
		for name, spec := range deps {
			if !first {
				b.WriteString(", ")
			}
			first = false
			fmt.Fprintf(&b, "%q: %q", name, spec)
		}
		b.WriteString(`}, "scripts": {"start": "node server.js"}}`)
		files[dir+"/package.json"] = []byte(b.String())
	}
	for i := range n {
		fmt.Fprintf(&pkgs, "\n  '@scope/package-%d@1.%d.3':\n    resolution: {integrity: sha512-%064d}\n    engines: {node: '>=18'}\n", i, i, i)
		fmt.Fprintf(&snaps, "\n  '@scope/package-%d@1.%d.3':\n    dependencies:\n      tslib: 2.8.1\n", i, i)
	}
	lock.WriteString("\npackages:\n" + pkgs.String() + "\nsnapshots:\n" + snaps.String())
	files["pnpm-lock.yaml"] = []byte(lock.String())
	files["package.json"] = []byte(`{"name": "monorepo", "private": true, "devDependencies": {"typescript": "^5.6.0"}}`)
	return files
}

// BenchmarkPnpmWorkspace times the whole preset (package.json files,
// lockfile parse and sync check, commands) on a workspace of 2,000 locked
// dependencies (target: under 200 ms).
func BenchmarkPnpmWorkspace(b *testing.B) {
	for _, n := range []int{500, 2000, 10000} {
		files := monorepo(n)
		b.Run(fmt.Sprintf("deps=%d/lockfile=%dKB", n, len(files["pnpm-lock.yaml"])>>10), func(b *testing.B) {
			for b.Loop() {
				p := &plan.Plan{File: "Stagefile", Preset: plan.Value[string]{Value: "node", Origin: plan.Origin{Kind: plan.Stagefile}},
					App: plan.Value[string]{Value: "apps/app7", Origin: plan.Origin{Kind: plan.Stagefile}}}
				if _, err := (Provider{}).Fill(p, &plan.Facts{Files: files}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// bunMonorepo is monorepo's workspace as bun would lock it: bun.lock with
// a workspace per app and a hoisted package per locked dependency.
func bunMonorepo(n int) map[string][]byte {
	files := monorepo(n)
	delete(files, "pnpm-lock.yaml")
	delete(files, "pnpm-workspace.yaml")
	files["package.json"] = []byte(`{"name": "monorepo", "private": true, "workspaces": ["apps/*"], "devDependencies": {"typescript": "^5.6.0"}}`)
	var lock strings.Builder
	lock.WriteString("{\n  \"lockfileVersion\": 2,\n  \"configVersion\": 1,\n  \"workspaces\": {\n    \"\": {\n      \"name\": \"monorepo\",\n      \"devDependencies\": {\n        \"typescript\": \"^5.6.0\",\n      },\n    },\n")
	apps := 20
	for a := range apps {
		fmt.Fprintf(&lock, "    \"apps/app%d\": {\n      \"name\": \"app%d\",\n      \"dependencies\": {\n", a, a)
		for i := a; i < n; i += apps {
			fmt.Fprintf(&lock, "        \"@scope/package-%d\": \"^1.%d.0\",\n", i, i)
		}
		lock.WriteString("      },\n    },\n")
	}
	lock.WriteString("  },\n  \"packages\": {\n")
	for a := range apps {
		fmt.Fprintf(&lock, "    \"app%d\": [\"app%d@workspace:apps/app%d\"],\n\n", a, a, a)
	}
	for i := range n {
		fmt.Fprintf(&lock, "    \"@scope/package-%d\": [\"@scope/package-%d@1.%d.3\", \"\", { \"dependencies\": { \"tslib\": \"^2.8.0\" } }, \"sha512-%064d\"],\n\n", i, i, i, i)
	}
	lock.WriteString("    \"tslib\": [\"tslib@2.8.1\", \"\", {}, \"sha512-x\"],\n\n    \"typescript\": [\"typescript@5.6.3\", \"\", {}, \"sha512-y\"],\n  }\n}\n")
	files["bun.lock"] = []byte(lock.String())
	return files
}

// BenchmarkBunWorkspace times the whole preset on the same workspace with
// bun.lock.
func BenchmarkBunWorkspace(b *testing.B) {
	for _, n := range []int{500, 2000, 10000} {
		files := bunMonorepo(n)
		b.Run(fmt.Sprintf("deps=%d/lockfile=%dKB", n, len(files["bun.lock"])>>10), func(b *testing.B) {
			for b.Loop() {
				p := &plan.Plan{File: "Stagefile", Preset: plan.Value[string]{Value: "node", Origin: plan.Origin{Kind: plan.Stagefile}},
					App: plan.Value[string]{Value: "apps/app7", Origin: plan.Origin{Kind: plan.Stagefile}}}
				if _, err := (Provider{}).Fill(p, &plan.Facts{Files: files}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
