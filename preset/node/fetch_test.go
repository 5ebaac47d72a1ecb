package node

import (
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
)

const fetchYarnLock = `# yarn lockfile v1


express@^4.21.2:
  version "4.21.2"
  resolved "https://registry.yarnpkg.com/express/-/express-4.21.2.tgz#cf250e48362174ead6cea4a566abef0162c1ec32"
  integrity sha512-28HqgMZAmih1Czt9ny7qr6ek2qddF4FclbMzwhCREB6OFfH+rXAnuNCwo1/wFvrtbgsQDb4kSbX9de9lFbrXnA==

"@babel/core@^7.26.0":
  version "7.26.0"
  resolved "https://registry.npmjs.org/@babel/core/-/core-7.26.0.tgz#5608aeadfc00be6c2901df5f9861788de0d597c8"

"@acme/private@^1.0.0":
  version "1.0.0"
  resolved "https://npm.acme.example/@acme/private/-/private-1.0.0.tgz#5608aeadfc00be6c2901df5f9861788de0d597c8"

evil@^1.0.0:
  version "1.0.0"
  resolved "https://registry.yarnpkg.com/evil/-/..%2F..%2Fetc%2Fpasswd#5608aeadfc00be6c2901df5f9861788de0d597c8"

broken@^1.0.0:
  version "1.0.0"
  resolved "https://registry.yarnpkg.com/broken/-/broken-1.0.0.tgz#nothex"
`

const fetchYarnPkg = `{"name": "app", "dependencies": {"express": "^4.21.2", "@acme/private": "^1.0.0", "evil": "^1.0.0", "broken": "^1.0.0"},
  "devDependencies": {"@babel/core": "^7.26.0"}}`

func TestFetchYarn(t *testing.T) {
	p, _, err := fill(t, fetchOn, map[string][]byte{"package.json": []byte(fetchYarnPkg), "yarn.lock": []byte(fetchYarnLock)}, nodeImage)
	assert.NilError(t, err)
	f := p.Dependencies.Fetch
	assert.Assert(t, f != nil)
	assert.Check(t, is.Equal(f.Path, yarnMirror))
	assert.Check(t, is.DeepEqual(f.Env, []plan.Var{{Name: "npm_config_yarn_offline_mirror", Value: yarnMirror, Origin: f.Env[0].Origin}}))
	assert.Check(t, is.DeepEqual(f.Command[len(f.Command)-1], "tarballs"))
	// the private registry's, the traversal and the bad hash are left to yarn
	assert.Check(t, is.DeepEqual(f.Packages, []plan.Download{
		{Name: "@babel/core", URL: "https://registry.npmjs.org/@babel/core/-/core-7.26.0.tgz",
			Integrity: "sha1-VgiurfwAvmwpAd9fmGF4jeDVl8g=", File: "@babel-core-7.26.0.tgz"},
		{Name: "express", URL: "https://registry.yarnpkg.com/express/-/express-4.21.2.tgz",
			Integrity: "sha512-28HqgMZAmih1Czt9ny7qr6ek2qddF4FclbMzwhCREB6OFfH+rXAnuNCwo1/wFvrtbgsQDb4kSbX9de9lFbrXnA==", File: "express-4.21.2.tgz"},
	}))
	assert.Check(t, plan.Check(p, true, plan.Ecosystems{Provider{}.Ecosystem()}))
	assert.Check(t, is.Contains(string(p.YAML()), "fetch: 2 packages, in 1 step of their own, into /stagefile/yarn-offline-mirror for the installs"))
}

func TestFetchNpm(t *testing.T) {
	lock := `{"lockfileVersion": 3, "packages": {
  "": {"dependencies": {"express": "^4.21.2", "foo": "npm:bar@^1.0.0", "fsevents": "^2.3.3", "@esbuild/linux-x64": "0.24.0"}},
  "node_modules/express": {"version": "4.21.2", "integrity": "sha512-28HqgMZAmih1Czt9ny7qr6ek2qddF4FclbMzwhCREB6OFfH+rXAnuNCwo1/wFvrtbgsQDb4kSbX9de9lFbrXnA=="},
  "node_modules/foo": {"name": "bar", "version": "1.0.0", "integrity": "sha512-AAAA"},
  "node_modules/fsevents": {"version": "2.3.3", "integrity": "sha512-BBBB", "os": ["darwin"]},
  "node_modules/@esbuild/linux-x64": {"version": "0.24.0", "integrity": "sha512-CCCC", "os": ["linux"], "cpu": ["x64"]},
  "node_modules/local": {"resolved": "file:../local", "link": true}
}}`
	pkg := `{"name": "app", "dependencies": {"express": "^4.21.2", "foo": "npm:bar@^1.0.0", "fsevents": "^2.3.3", "@esbuild/linux-x64": "0.24.0"}}`
	files := map[string][]byte{"package.json": []byte(pkg), "package-lock.json": []byte(lock)}
	p, _, err := fill(t, fetchOn, files, nodeImage)
	assert.NilError(t, err)
	f := p.Dependencies.Fetch
	assert.Assert(t, f != nil)
	assert.Check(t, is.Equal(f.Path, npmCache))
	assert.Check(t, is.Len(f.Env, 0))
	var got []string
	for _, d := range f.Packages {
		got = append(got, d.Name+" "+d.URL+" "+d.File+" "+strings.Join(d.Arch, ","))
	}
	assert.Check(t, is.DeepEqual(got, []string{
		// lockfiles without "resolved": npm asks the default registry
		"@esbuild/linux-x64 https://registry.npmjs.org/@esbuild/linux-x64/-/linux-x64-0.24.0.tgz content-v2/sha512/08/20/82 amd64",
		"express https://registry.npmjs.org/express/-/express-4.21.2.tgz content-v2/sha512/db/c1/ea80c6409a28750b3b7d9f2eeaafa7a4daa75d17815c95b333c21091101e8e15f1fead7027b8d0b0a35ff016faed6e0b100dbe2449b5fd75ef6515bad79c ",
		"foo https://registry.npmjs.org/bar/-/bar-1.0.0.tgz content-v2/sha512/00/00/00 ",
	}))
	assert.Check(t, plan.Check(p, true, plan.Ecosystems{Provider{}.Ecosystem()}))

	// a registry in .npmrc: npm asks it, under its URLs
	files[".npmrc"] = []byte("registry=https://npm.acme.example/\n")
	p, ws, err := fill(t, fetchOn, files, nodeImage)
	assert.NilError(t, err)
	assert.Check(t, p.Dependencies.Fetch == nil)
	assert.Check(t, is.Contains(joinWarnings(ws), "Stagefile:5:10: the installs download every package: .npmrc names a registry"))
	delete(files, ".npmrc")

	// a package from a private registry: npm's cache mount stays
	files["package-lock.json"] = []byte(strings.Replace(lock, `"node_modules/foo": {"name": "bar", "version": "1.0.0",`,
		`"node_modules/foo": {"name": "bar", "version": "1.0.0", "resolved": "https://npm.acme.example/bar/-/bar-1.0.0.tgz",`, 1))
	p, ws, err = fill(t, fetchOn, files, nodeImage)
	assert.NilError(t, err)
	assert.Check(t, p.Dependencies.Fetch == nil)
	assert.Check(t, is.Contains(joinWarnings(ws), `"foo" comes from npm.acme.example, not a public registry`))
}

// fetchOn asks for fetch steps.
const fetchOn = "dependencies:\n  fetch: true\n"

// TestFetchOff: fetching is asked for, not the default (it costs a
// container start per group, and pays only where downloads are slow).
func TestFetchOff(t *testing.T) {
	files := map[string][]byte{"package.json": []byte(fetchYarnPkg), "yarn.lock": []byte(fetchYarnLock)}
	for _, extra := range []string{"", "dependencies:\n  fetch: false\n"} {
		p, _, err := fill(t, extra, files, nodeImage)
		assert.NilError(t, err)
		assert.Check(t, p.Dependencies.Fetch == nil)
	}
	// the other managers' caches are not the registry's tarballs
	for name, lock := range map[string]string{"yarn.lock": berryLock, "pnpm-lock.yaml": pnpmLock} {
		p, ws, err := fill(t, fetchOn, map[string][]byte{"package.json": []byte(pkg), name: []byte(lock), ".yarnrc.yml": []byte("nodeLinker: node-modules\n")}, nodeImage)
		assert.NilError(t, err)
		assert.Check(t, p.Dependencies.Fetch == nil, name)
		assert.Check(t, is.Contains(joinWarnings(ws), "[FetchUnavailable]"), name)
		assert.Check(t, is.Contains(string(p.YAML()), "fetch: true "), name)
	}
}

// TestFetchGroups: a package keeps its group when its version moves, so a
// bump re-runs only the steps of what it changed.
func TestFetchGroups(t *testing.T) {
	f := &plan.Fetch{}
	for i := 0; i < 200; i++ {
		name := "pkg" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26))
		f.Packages = append(f.Packages, plan.Download{Name: name, File: name + "-1.0.0.tgz"})
	}
	before := f.Groups()
	assert.Check(t, is.Len(before, plan.FetchGroups))
	f.Packages[42].File = f.Packages[42].Name + "-1.0.1.tgz"
	after := f.Groups()
	changed := 0
	for i := range before {
		if !is.DeepEqual(before[i], after[i])().Success() {
			changed++
		}
	}
	assert.Check(t, is.Equal(changed, 1))
}
