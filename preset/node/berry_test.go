package node

import (
	"os"
	"path/filepath"
	"testing"

	yaml "go.yaml.in/yaml/v3"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
)

// TestBerryLockReader: the line reader reads what a YAML decoder reads
// from yarn berry's lockfiles.
func TestBerryLockReader(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "node-yarn-berry", "yarn.lock"))
	assert.NilError(t, err)
	for name, dt := range map[string][]byte{"example": example, "berryLock": []byte(berryLock), "crlf": normalize([]byte("__metadata:\r\n  version: 8\r\n\r\n\"a@npm:1\":\r\n  version: 1.0.0\r\n"))} {
		got, err := readBerryLock(dt)
		assert.NilError(t, err, name)
		var want map[string]struct {
			Version              string            `yaml:"version"`
			Resolution           string            `yaml:"resolution"`
			Checksum             string            `yaml:"checksum"`
			Dependencies         map[string]string `yaml:"dependencies"`
			OptionalDependencies map[string]string `yaml:"optionalDependencies"`
		}
		assert.NilError(t, yaml.Unmarshal(dt, &want), name)
		assert.Check(t, is.Len(got, len(want)), name)
		for k, w := range want {
			g := got[k]
			assert.Check(t, is.DeepEqual(berryEntry{w.Version, w.Resolution, w.Checksum, w.Dependencies, w.OptionalDependencies}, g), "%s: %s", name, k)
		}
	}
	for _, bad := range []string{"\tversion: 1\n", "  version: 1\n", "\"a@npm:1:\n", "a@npm:1: x\n", "a:\n  b\n", "a:\n  b: \"x\n"} {
		_, err := readBerryLock([]byte(bad))
		assert.Check(t, err != nil, "%q", bad)
	}
}

// TestLockfileShapesRefused: what the package managers never write is an
// error, not a quietly different reading: a berry entry twice, YAML
// aliases in pnpm-lock.yaml (each value is decoded on its own, so the
// decoder's alias budget would count per value).
func TestLockfileShapesRefused(t *testing.T) {
	_, err := readBerryLock([]byte("\"a@npm:1\":\n  version: 1.0.0\n\n\"a@npm:1\":\n  version: 1.0.1\n"))
	assert.Check(t, is.ErrorContains(err, `line 4: entry "a@npm:1" is already defined`))
	_, err = decodePnpmLock([]byte("lockfileVersion: '9.0'\npackages:\n  a@1.0.0: &x {resolution: {integrity: sha512-AA==}}\n  b@1.0.0: *x\n"))
	assert.Check(t, is.ErrorContains(err, "line 3: an anchor or alias (&name, *name); pnpm writes none"))
}

// TestResolutionsNotOutOfSync: yarn's resolutions replace a range, so
// yarn.lock keys the replacement; the lockfile is not out of sync.
func TestResolutionsNotOutOfSync(t *testing.T) {
	lock := berryLock + `
"sax@patch:sax@npm%3A1.5.0#./.yarn/patches/sax-npm-1.5.0.patch::locator=app%40workspace%3A.":
  version: 1.5.0
  resolution: "sax@patch:sax@npm%3A1.5.0#./.yarn/patches/sax-npm-1.5.0.patch::locator=app%40workspace%3A."
`
	pkg := `{"dependencies": {"express": "^4.21.2", "sax": "^1.5.0"}, "devDependencies": {"@babel/core": "^7.26.0"}, "resolutions": {"sax@npm:^1.5.0": "patch:sax@npm%3A1.5.0#./.yarn/patches/sax-npm-1.5.0.patch"}}`
	rc := []byte("nodeLinker: node-modules\n")
	_, _, err := fill(t, "", map[string][]byte{"package.json": []byte(pkg), "yarn.lock": []byte(lock), ".yarnrc.yml": rc}, nil)
	assert.NilError(t, err)
	// without the resolution, sax@^1.5.0 is not recorded
	pkg = `{"dependencies": {"express": "^4.21.2", "sax": "^1.5.0"}}`
	_, _, err = fill(t, "", map[string][]byte{"package.json": []byte(pkg), "yarn.lock": []byte(lock), ".yarnrc.yml": rc}, nil)
	assert.Check(t, is.ErrorContains(err, "does not record sax@^1.5.0"))
	assert.Check(t, is.DeepEqual(resolutionNames(map[string]string{"**/sax": "1", "a/@s/b": "1", "@s/c@^1": "1", "d": "1"}),
		map[string]bool{"sax": true, "@s/b": true, "@s/c": true, "d": true}))
}

// TestToolsWritten: dependencies.tools as written wins over corepack.
func TestToolsWritten(t *testing.T) {
	files := map[string][]byte{"package.json": []byte(`{"packageManager": "yarn@4.5.0", "dependencies": {"express": "^4.21.2"}, "devDependencies": {"@babel/core": "^7.26.0"}}`),
		"yarn.lock": []byte(berryLock), ".yarnrc.yml": []byte("nodeLinker: node-modules\n")}
	p, _, err := fill(t, "dependencies:\n  tools: corepack enable yarn && yarn --version\n", files, nil)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(script(p.Dependencies.Tools), "corepack enable yarn && yarn --version"))
	assert.Check(t, is.Equal(p.Dependencies.Tools.Origin.Kind, plan.Stagefile))
}
