package node

import (
	"errors"
	"testing"

	"github.com/stagefile/stagefile/internal/bounded"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// FuzzPreset: whatever package.json, lockfile and workspace files a build
// context holds, the preset answers within the fuzz budget with a plan or
// a positioned error; it never panics.
func FuzzPreset(f *testing.F) {
	lockfiles := []string{"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "yarn.lock", "bun.lock", "bun.lockb"}
	f.Add([]byte(pkg), []byte(npmLock), []byte(""), uint8(0))
	f.Add([]byte(pkg), []byte(yarnV1Lock), []byte(""), uint8(1))
	f.Add([]byte(pkg), []byte(pnpmLock), []byte("packages: [apps/*]\n"), uint8(2))
	f.Add([]byte(pkg), []byte(berryLock), []byte("nodeLinker: node-modules\n"), uint8(3))
	f.Add([]byte(`{"workspaces": ["apps/*"], "packageManager": "yarn@4.1.0"}`), []byte("a: &a [*a]\n"), []byte("x: [[[[[[["), uint8(3))
	f.Add([]byte(bunPkg), []byte(bunLock), []byte("[install]\ntoken = \"x\"\n"), uint8(4))
	f.Add([]byte(`{"workspaces": ["apps/*"], "scripts": {"start": "bun run --hot apps/api/src/index.ts"}, "dependencies": {"@acme/shared": "workspace:*"}}`), []byte(bunWorkspaceLock), []byte(""), uint8(4))
	f.Add([]byte(`{"module": "index.ts", "packageManager": "bun@1.2.0"}`), append(append([]byte{}, bunLockMagic...), 0xff, 0), []byte(""), uint8(5))
	f.Add([]byte(`{}`), []byte(`{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"a/b/c": ["c@1", "", {"dependencies": {"c": "1"}}, ""], /* x */ }}`), []byte("//"), uint8(4))
	f.Fuzz(func(t *testing.T, pkgJSON, lock, extra []byte, which uint8) {
		files := map[string][]byte{
			"package.json":                       pkgJSON,
			lockfiles[int(which)%len(lockfiles)]: lock,
			"pnpm-workspace.yaml":                extra,
			".yarnrc.yml":                        extra,
			".npmrc":                             extra,
			"bunfig.toml":                        extra,
			"apps/api/package.json":              pkgJSON,
			"apps/api/src/app.test.ts":           extra,
		}
		for _, app := range []string{".", "apps/api"} {
			p := &plan.Plan{File: "Stagefile",
				Preset: plan.Value[string]{Value: "node", Origin: plan.Origin{Kind: plan.Stagefile}},
				App:    plan.Value[string]{Value: app, Origin: plan.Origin{Kind: plan.Stagefile}}}
			var err error
			bounded.Run(t, bounded.Fuzz, func() { _, err = Provider{}.Fill(p, &plan.Facts{Files: files}) })
			var list spec.Errors
			if err != nil && !errors.As(err, &list) {
				t.Fatalf("unpositioned error %T: %v", err, err)
			}
			if err == nil {
				if err := plan.Check(p, false, plan.Ecosystems{Provider{}.Ecosystem()}); err != nil && !errors.As(err, &list) {
					t.Fatalf("unpositioned error %T: %v", err, err)
				}
			}
		}
	})
}
