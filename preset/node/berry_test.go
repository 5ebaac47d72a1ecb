package node

import (
	"os"
	"path/filepath"
	"testing"

	yaml "go.yaml.in/yaml/v3"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
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
