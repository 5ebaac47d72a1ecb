package node

import (
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// bunLock is a bun.lock as bun 1.4 writes it, with what bun writes for a
// package nested under another (bun-types/@types/node), an alias (left),
// a package for another OS (fsevents) and a peer dependency; and a
// comment, which bun reads too.
const bunLock = `{
  "lockfileVersion": 2,
  "configVersion": 1,
  // bun reads comments
  "workspaces": {
    "": {
      "name": "app",
      "dependencies": {
        "hono": "^4.6.0",
        "left": "npm:left-pad@1.3.0",
      },
      "devDependencies": {
        "@types/bun": "^1.2.0",
      },
      "optionalDependencies": {
        "fsevents": "^2.3.3",
      },
      "peerDependencies": {
        "typescript": "^5",
      },
    },
  },
  "packages": {
    "@types/bun": ["@types/bun@1.4.5", "", { "dependencies": { "bun-types": "1.4.5" } }, "sha512-a"],

    "@types/node": ["@types/node@26.6.11", "", { "dependencies": { "undici-types": "~8.9.0" } }, "sha512-b"],

    "bun-types": ["bun-types@1.4.5", "", { "dependencies": { "@types/node": "*", "undici-types": "*" } }, "sha512-c"],

    "fsevents": ["fsevents@2.3.3", "", { "os": "darwin", "dependencies": { "ms": "^2" } }, "sha512-d"],

    "hono": ["hono@4.13.23", "https://npm.example.com/hono/-/hono-4.13.23.tgz", { "dependencies": { "@types/node": "^20" } }, "sha512-e"],

    "hono/@types/node": ["@types/node@20.1.0", "", {}, "sha512-f"],

    "left": ["left-pad@1.3.0", "", {}, "sha512-g"],

    "ms": ["ms@2.1.3", "", {}, "sha512-h"],

    "typescript": ["typescript@5.9.3", "", { "bin": { "tsc": "./bin/tsc" } }, "sha512-i"],

    "undici-types": ["undici-types@8.9.0", "", {}, "sha512-j"],
  }
}
`

// TestBunLockReader: bun.lock's workspaces give the ranges the lock-sync
// check compares; the production walk follows dependencies, optional and
// peer dependencies, as bun install --production installs them, nested
// keys first, and no package for another OS.
func TestBunLockReader(t *testing.T) {
	lf, err := parseBunLock(normalize([]byte(bunLock)))
	assert.NilError(t, err)
	assert.Check(t, is.Equal(lf.version, 2))
	assert.Check(t, is.DeepEqual(lf.specifiers["."], map[string]string{"hono": "^4.6.0", "left": "npm:left-pad@1.3.0",
		"@types/bun": "^1.2.0", "fsevents": "^2.3.3", "typescript": "^5"}))
	assert.Check(t, is.Len(lf.packages, 10))

	var got []string
	for _, p := range lf.production([]importer{{dir: "."}}) {
		got = append(got, p.Name+"@"+p.Version+" "+p.Integrity+" "+p.Resolved)
	}
	assert.Check(t, is.DeepEqual(got, []string{
		"hono@4.13.23 sha512-e https://npm.example.com/hono/-/hono-4.13.23.tgz",
		"left-pad@1.3.0 sha512-g ",
		"typescript@5.9.3 sha512-i ",
		"@types/node@20.1.0 sha512-f ", // hono's own, nested under it
	}))
	assert.Check(t, is.Equal(lf.locked(".", "hono"), "4.13.23"))
	assert.Check(t, is.Equal(lf.locked(".", "nothing"), ""))
	dir, known := lf.linked(".", "hono")
	assert.Check(t, known && dir == "", "a registry package")

	// what Windows checkouts do: a BOM and CRLF, as bun reads them
	crlf := append([]byte{0xEF, 0xBB, 0xBF}, strings.ReplaceAll(bunLock, "\n", "\r\n")...)
	lf, err = parseBunLock(normalize(crlf))
	assert.NilError(t, err)
	assert.Check(t, is.Len(lf.packages, 10))
}

// TestBunLockRefused: what bun would not read is an error naming the
// entry; a newer format than the preset knows is left to bun.
func TestBunLockRefused(t *testing.T) {
	for lock, msg := range map[string]string{
		`{"workspaces": {"": {}}}`: "it has no lockfileVersion",
		`{"lockfileVersion": 1}`:   `it has no root workspace`,
		`{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"a": ["a@1.0.0", "", {}]}}`:                `the entry "a" has 3 items, not 4`,
		`{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"a": []}}`:                                 `the entry "a" does not start with "name@resolution"`,
		`{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"a": ["a"]}}`:                              `the entry "a" does not start with "name@resolution"`,
		`{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"a//b": ["b@1.0.0", "", {}, ""]}}`:         `the entry "a//b" is not a path of package names`,
		`{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"a": ["a@1.0.0", "", [], ""]}}`:            `the entry "a": its dependencies object`,
		`{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"a": ["a@1.0.0", 1, {}, ""]}}`:             `the entry "a" has a registry or integrity that is not a string`,
		`{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"a": ["a@1.0.0", "", {}, ""],, }}`:         `invalid JSON`,
		`{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"` + strings.Repeat("a/", 70) + `a": []}}`: "nests 71 packages deep, more than the 64 the preset reads",
	} {
		_, err := parseBunLock([]byte(lock))
		assert.Check(t, is.ErrorContains(err, msg), lock)
	}
	lf, err := parseBunLock([]byte(`{"lockfileVersion": 9, "whatever": []}`))
	assert.NilError(t, err)
	assert.Check(t, lf.unchecked && lf.version == 9)

	_, err = parseBunLockb([]byte("not bun's"))
	assert.Check(t, is.ErrorContains(err, "does not start as bun's binary lockfile does"))
	lf, err = parseBunLockb(append(append([]byte{}, bunLockMagic...), 0, 1, 2))
	assert.NilError(t, err)
	assert.Check(t, lf.unchecked)
}

// TestJSONCLinear: comments, trailing commas and strings that look like
// either are read in time linear in the input, however it is made.
func TestJSONCLinear(t *testing.T) {
	assert.Check(t, is.Equal(string(jsonc([]byte(`{"a": "// not, }", "b": [1, 2, /* c */ ], // x
"c": "\"/*", }`))), `{"a": "// not, }", "b": [1, 2   ], `+"\n"+`"c": "\"/*" }`))
	for _, hostile := range []string{
		strings.Repeat(",", 1<<20) + "}",
		strings.Repeat(", ", 1<<20) + "]",
		"[" + strings.Repeat(`"\\",`, 1<<18) + "]",
		strings.Repeat("/*", 1<<20),
		strings.Repeat("//\n", 1<<20),
		`"` + strings.Repeat(`\`, 1<<20),
	} {
		start := time.Now()
		_ = jsonc([]byte(hostile))
		_, _ = parseBunLock([]byte(hostile))
		assert.Check(t, time.Since(start) < 2*time.Second, "%.20q took %s", hostile, time.Since(start))
	}
}

// bunWorkspaceLock is what bun 1.4 wrote for a workspace: api uses shared
// (workspace:*) and util (^1.0.0, linked by version), shared uses
// left-pad; web uses shared and ms; the root has a dev tool.
const bunWorkspaceLock = `{
  "lockfileVersion": 2,
  "configVersion": 1,
  "workspaces": {
    "": {"name": "ws-root", "devDependencies": {"typescript": "^5.6.0"}},
    "apps/api": {"name": "@acme/api", "version": "1.0.0", "dependencies": {"@acme/shared": "workspace:*", "@acme/util": "^1.0.0", "hono": "^4.6.0"}, "devDependencies": {"@types/bun": "^1.2.0"}},
    "apps/web": {"name": "@acme/web", "version": "1.0.0", "dependencies": {"@acme/shared": "workspace:^", "ms": "^2.1.3"}},
    "packages/shared": {"name": "@acme/shared", "version": "1.0.0", "dependencies": {"left-pad": "^1.3.0"}},
    "packages/util": {"name": "@acme/util", "version": "1.2.0"},
  },
  "packages": {
    "@acme/api": ["@acme/api@workspace:apps/api"],
    "@acme/shared": ["@acme/shared@workspace:packages/shared"],
    "@acme/util": ["@acme/util@workspace:packages/util"],
    "@acme/web": ["@acme/web@workspace:apps/web"],
    "@types/bun": ["@types/bun@1.4.5", "", { "dependencies": { "bun-types": "1.4.5" } }, "sha512-a"],
    "bun-types": ["bun-types@1.4.5", "", {}, "sha512-c"],
    "hono": ["hono@4.13.23", "", {}, "sha512-e"],
    "left-pad": ["left-pad@1.3.0", "", {}, "sha512-g"],
    "ms": ["ms@2.1.3", "", {}, "sha512-h"],
    "typescript": ["typescript@5.9.3", "", {}, "sha512-i"],
  }
}`

// TestBunLockWorkspace: an app's production packages are its own and
// those of the workspace packages it uses, through workspace: and a
// version bun links; bun.lock tells the scope which links are local.
func TestBunLockWorkspace(t *testing.T) {
	lf, err := parseBunLock([]byte(bunWorkspaceLock))
	assert.NilError(t, err)
	names := func(dir string) []string {
		var out []string
		for _, p := range lf.production([]importer{{dir: "."}, {dir: dir}}) {
			out = append(out, p.Name)
		}
		return out
	}
	assert.Check(t, is.DeepEqual(names("apps/api"), []string{"hono", "left-pad"}))
	assert.Check(t, is.DeepEqual(names("apps/web"), []string{"ms", "left-pad"}))
	for name, want := range map[string]string{"@acme/shared": "packages/shared", "@acme/util": "packages/util", "hono": ""} {
		dir, known := lf.linked("apps/api", name)
		assert.Check(t, known && dir == want, "%s: %q %v", name, dir, known)
	}
	_, known := lf.linked("apps/nothing", "hono")
	assert.Check(t, !known)
	assert.Check(t, is.Equal(lf.specifiers["apps/web"]["@acme/shared"], "workspace:^"))
}
