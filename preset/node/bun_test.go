package node

import (
	"strings"
	"testing"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
)

// bunPkg is an app of bun's that bunLock records.
const bunPkg = `{"name": "app", "scripts": {"test": "bun test --timeout 10000", "build": "bun build src/server.ts --outdir dist --target bun", "start": "bun src/server.ts"},
  "dependencies": {"hono": "^4.6.0", "left": "npm:left-pad@1.3.0"}, "devDependencies": {"@types/bun": "^1.2.0"},
  "optionalDependencies": {"fsevents": "^2.3.3"}, "peerDependencies": {"typescript": "^5"}}`

// bunImages are node's official images and bun's, each with its user.
func bunImages(ref string) (*plan.ImageInfo, error) {
	if strings.HasPrefix(ref, "oven/bun") {
		img := &plan.ImageInfo{Config: &dockerspec.DockerOCIImage{}, Users: func() ([]plan.User, error) {
			return []plan.User{{Name: "root"}, {Name: "bun", UID: 1000}}, nil
		}}
		img.Config.Config.Entrypoint = []string{"/usr/local/bin/docker-entrypoint.sh"}
		return img, nil
	}
	return nodeImage(ref)
}

// TestBun: bun.lock makes the installs bun's, bun comes from npm in the
// tools step, bunfig.toml is mounted like .npmrc, the test and build
// scripts run with bun, and an app that starts on bun is released on
// bun's image, bun as PID 1.
func TestBun(t *testing.T) {
	files := map[string][]byte{"package.json": []byte(bunPkg), "bun.lock": []byte(bunLock),
		"bunfig.toml": []byte("[install]\nexact = true\n"), ".npmrc": []byte("legacy-peer-deps=true\n")}
	p, warnings, err := fill(t, "build:\n  outputs: [dist]\n", files, bunImages)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(joinWarnings(warnings), ""))
	d := p.Dependencies
	assert.Check(t, is.DeepEqual(plan.Values(d.Manifests), []string{"package.json", "bun.lock"}))
	assert.Check(t, is.DeepEqual(plan.Values(d.Config), []string{".npmrc", "bunfig.toml"}))
	assert.Check(t, is.Equal(script(d.Tools), "npm install -g bun@1.4.5 --no-audit --no-fund && bun --version"))
	assert.Check(t, is.Equal(d.Tools.Origin.String(), "preset node: bun comes from npm's bun package, which ships its binary: bun 1.4.5, the newest bun this frontend knows, which reads bun.lock's lockfileVersion 2"))
	assert.Check(t, is.Equal(script(d.Production), "bun install --frozen-lockfile --production"))
	assert.Check(t, is.Equal(script(d.Development), "bun install --frozen-lockfile"))
	assert.Check(t, is.Equal(d.Caches[0].Path.Value, "/root/.bun/install/cache"))
	assert.Check(t, is.DeepEqual(plan.Values(d.Unshipped), []string{"bun.lock"}))
	_, corepack := plan.Lookup(p.Env, "COREPACK_ENABLE_DOWNLOAD_PROMPT")
	assert.Check(t, !corepack, "bun does not come from corepack")
	var shipped []string
	for _, pkg := range d.Packages {
		shipped = append(shipped, pkg.Name+"@"+pkg.Version)
	}
	assert.Check(t, is.DeepEqual(shipped, []string{"hono@4.13.23", "left-pad@1.3.0", "typescript@5.9.3", "@types/node@20.1.0"}))
	assert.Check(t, d.Fetch == nil)

	assert.Check(t, is.Equal(script(p.Test.Run), "bun test --timeout 10000"), "bun test itself, no shell in between")
	assert.Check(t, is.Equal(script(p.Build.Run), "bun run build"))

	r := p.Release
	assert.Check(t, is.Equal(r.Image.Value, "oven/bun:1.4.5-slim"))
	assert.Check(t, is.Equal(r.Image.Origin.String(), "preset node: package.json scripts.start: the app runs on bun (src/server.ts), so the release runs on bun's image, bun 1.4.5 (the newest bun this frontend knows, which reads bun.lock's lockfileVersion 2)"))
	assert.Check(t, is.Equal(r.Image.Origin.At, p.Preset.Origin.At), "said at the preset line")
	assert.Check(t, is.DeepEqual(r.Entrypoint.Value, []string{"bun"}))
	assert.Check(t, is.DeepEqual(r.Cmd.Value, []string{"src/server.ts"}))
	assert.Check(t, is.Equal(r.User.Value, "bun"))
	v, _ := plan.Lookup(r.Env, "NODE_ENV")
	assert.Check(t, is.Equal(v.Value, "production"))
	assert.Check(t, is.Equal(p.Image.Value, "node:20-bookworm-slim"), "tests and build run on node's image, bun installed")
}

// TestBunVersion: packageManager pins bun (corepack's hash dropped, npm
// takes none); bun.lockb and an older bun.lock are read by the preset's
// bun; a newer bun.lock needs the pin.
func TestBunVersion(t *testing.T) {
	withPM := func(pm string) map[string][]byte {
		return map[string][]byte{"package.json": []byte(`{"packageManager": "` + pm + `", "dependencies": {"hono": "^4.6.0"}}`), "bun.lock": []byte(bunLock)}
	}
	p, _, err := fill(t, "", withPM("bun@1.2.23+sha512.abc"), bunImages)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(script(p.Dependencies.Tools), "npm install -g bun@1.2.23 --no-audit --no-fund && bun --version"))

	for pm, msg := range map[string]string{
		"bun@latest":     `package.json's packageManager bun@latest names no bun release (write e.g. "bun@1.4.5")`,
		"bun@1.2; rm -x": `names no bun release`,
		"deno@2.0.0":     `package.json's packageManager "deno@2.0.0" is not npm, yarn, pnpm or bun`,
	} {
		_, _, err := fill(t, "", withPM(pm), bunImages)
		assert.Check(t, is.ErrorContains(err, msg), pm)
	}

	newer := map[string][]byte{"package.json": []byte(`{"dependencies": {"hono": "^4.6.0"}}`), "bun.lock": []byte(`{"lockfileVersion": 7, "workspaces": {"": {}}}`)}
	_, _, err = fill(t, "", newer, bunImages)
	assert.Check(t, is.ErrorContains(err, `Stagefile:2:9: bun.lock's lockfileVersion 7 is newer than what bun 1.4.5, the bun preset node installs, reads (pin the bun that wrote it: "packageManager": "bun@VERSION" in package.json)`))
	newer["package.json"] = []byte(`{"packageManager": "bun@2.0.0", "dependencies": {"hono": "^4.6.0"}}`)
	p, _, err = fill(t, "", newer, bunImages)
	assert.NilError(t, err, "pinned, the install checks the lockfile")
	assert.Check(t, !p.Dependencies.PackagesFrom.Set())
	assert.Check(t, is.Equal(script(p.Dependencies.Tools), "npm install -g bun@2.0.0 --no-audit --no-fund && bun --version"))

	// bun.lockb: not read; bun install --frozen-lockfile checks it, and
	// the SBOM comes from elsewhere
	binary := map[string][]byte{"package.json": []byte(`{"dependencies": {"hono": "^9"}}`), "bun.lockb": append(append([]byte{}, bunLockMagic...), 1, 2, 3)}
	p, _, err = fill(t, "", binary, bunImages)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plan.Values(p.Dependencies.Manifests), []string{"package.json", "bun.lockb"}))
	assert.Check(t, is.Contains(p.Dependencies.Manifests[1].Origin.String(), "bun's binary one, which the preset does not read: bun install --frozen-lockfile checks it, and the SBOM is left to BuildKit's scanner"))
	assert.Check(t, !p.Dependencies.PackagesFrom.Set())
	assert.Check(t, is.Equal(p.Dependencies.Tools.Origin.String(), "preset node: bun comes from npm's bun package, which ships its binary: bun 1.4.5, the newest bun this frontend knows, which reads bun.lockb"))

	// both: bun reads bun.lock
	binary["bun.lock"] = []byte(bunLock)
	binary["package.json"] = []byte(`{"dependencies": {"hono": "^4.6.0"}}`)
	p, _, err = fill(t, "", binary, bunImages)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plan.Values(p.Dependencies.Manifests), []string{"package.json", "bun.lock"}))
}

// TestBunErrors: what bun install --frozen-lockfile would refuse is an
// error at the preset line, before anything is installed; a range bun
// takes (its locked version still satisfies it) is not.
func TestBunErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		msg   string
	}{
		"pinned without its lockfile": {map[string]string{"package.json": `{"packageManager": "bun@1.4.5"}`, "package-lock.json": npmLock},
			"package.json pins bun@1.4.5 but the build context has no bun lockfile (run bun install and commit the lockfile; check .dockerignore)"},
		"bun.lock and another manager's pin": {map[string]string{"package.json": `{"packageManager": "pnpm@9.1.0"}`, "bun.lock": bunLock},
			"package.json pins pnpm@9.1.0 but the build context has no pnpm lockfile"},
		"bun.lock and package-lock.json": {map[string]string{"package.json": pkg, "bun.lock": bunLock, "package-lock.json": npmLock},
			"several lockfiles (bun.lock, package-lock.json)"},
		"a dependency not recorded": {map[string]string{"package.json": `{"dependencies": {"hono": "^4.6.0", "ms": "^2.1.3"}}`, "bun.lock": bunLock},
			"bun.lock is out of sync with package.json: it does not record ms@^2.1.3 (package.json) (run bun install and commit bun.lock)"},
		"a range the locked version is not in": {map[string]string{"package.json": `{"dependencies": {"hono": "^3.0.0"}}`, "bun.lock": bunLock},
			"bun.lock is out of sync with package.json: it does not record hono@^3.0.0"},
		"corrupt bun.lock": {map[string]string{"package.json": pkg, "bun.lock": `{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {`},
			"bun.lock is not a lockfile bun can read: invalid JSON: unexpected end of JSON input (run bun install and commit bun.lock)"},
		"bun.lockb that is not": {map[string]string{"package.json": pkg, "bun.lockb": "{}"},
			"bun.lockb is not a lockfile bun can read: it does not start as bun's binary lockfile does"},
	} {
		t.Run(name, func(t *testing.T) {
			files := map[string][]byte{}
			for n, c := range tc.files {
				files[n] = []byte(c)
			}
			_, _, err := fill(t, "", files, bunImages)
			assert.Check(t, is.ErrorContains(err, "Stagefile:2:9: "+tc.msg))
		})
	}
	files := map[string][]byte{"package.json": []byte(`{"dependencies": {"hono": "^4.13.0"}}`), "bun.lock": []byte(bunLock)}
	_, _, err := fill(t, "", files, bunImages)
	assert.NilError(t, err, "bun --frozen-lockfile takes a range its locked version is in")
}

// TestBunTests: without a test script, bun test runs when bun test's files
// are where they are in practice; a test script that is more than bun
// test runs as a script.
func TestBunTests(t *testing.T) {
	base := func(pkgJSON string, more ...string) map[string][]byte {
		f := map[string][]byte{"package.json": []byte(pkgJSON), "bun.lock": []byte(bunLock)}
		for i := 0; i+1 < len(more); i += 2 {
			f[more[i]] = []byte(more[i+1])
		}
		return f
	}
	deps := `"dependencies": {"hono": "^4.6.0"}`
	for _, tc := range []struct {
		files map[string][]byte
		run   string
		from  string
	}{
		{base(`{`+deps+`}`, "src/app.test.ts", "test()"), "bun test", "preset node: no scripts.test, and bun test runs src/app.test.ts and the others"},
		{base(`{`+deps+`}`, "test/server_spec_.js", "x", "README.md", "x"), "bun test", "preset node: no scripts.test, and bun test runs test/server_spec_.js and the others"},
		{base(`{`+deps+`}`, "src/routes/users.spec.tsx", "x"), "bun test", ""},
		{base(`{`+deps+`}`, "src/app.ts", "x", "test.md", "x", "src/app.test.snap", "x"), "", ""},
		{base(`{"scripts": {"test": "bun test && bun run lint"}, ` + deps + `}`), "bun run test", "preset node: package.json scripts.test"},
		{base(`{"scripts": {"test": "echo \"Error: no test specified\" && exit 1"}, `+deps+`}`, "src/app.test.ts", "x"), "", ""},
	} {
		p, warnings, err := fill(t, "", tc.files, bunImages)
		assert.NilError(t, err)
		assert.Check(t, is.Equal(script(p.Test.Run), tc.run))
		if tc.from != "" {
			assert.Check(t, is.Equal(p.Test.Run.Origin.String(), tc.from))
		}
		if tc.run == "" {
			assert.Check(t, is.Contains(joinWarnings(warnings), "[NoTests]"))
		}
	}
}

// TestBunRuntime: an app that starts on bun (bun [run] [flags] FILE, or
// bun init's TypeScript module and no start script) is released on bun;
// a start script that runs node keeps node's image; bun running a
// script is the package manager again.
func TestBunRuntime(t *testing.T) {
	for _, tc := range []struct {
		pkgJSON, extra, image, entrypoint, cmd, warning string
	}{
		{`{"scripts": {"start": "bun run src/index.ts"}}`, "", "oven/bun:1.4.5-slim", "bun", "src/index.ts", ""},
		{`{"scripts": {"start": "NODE_ENV=production bun --smol src/index.ts"}}`, "", "node:20-bookworm-slim", "", "",
			`cannot tell how the app starts: scripts.start ("NODE_ENV=production bun --smol src/index.ts") is not "node FILE"`},
		{`{"scripts": {"start": "bun --smol --env-file .env src/index.ts"}}`, "", "oven/bun:1.4.5-slim", "bun", "src/index.ts",
			"scripts.start passes bun --smol --env-file .env, which the release does not (bun src/index.ts); add what the app needs to release.entrypoint, e.g. [bun, --smol]"},
		{`{"module": "index.ts", "type": "module"}`, "", "oven/bun:1.4.5-slim", "bun", "index.ts", ""},
		{`{"module": "index.ts", "scripts": {"start": "node dist/index.js"}}`, "", "node:20-bookworm-slim", "node", "dist/index.js", ""},
		{`{"module": "index.js", "main": "index.js"}`, "", "node:20-bookworm-slim", "node", "index.js", ""},
		{`{"scripts": {"start": "bun run serve"}}`, "", "node:20-bookworm-slim", "", "", `scripts.start ("bun run serve") is not "node FILE"`},
		{`{"scripts": {"start": "bun src/index.ts"}}`, "release:\n  image: oven/bun:1.4.5-distroless\n", "oven/bun:1.4.5-distroless", "bun", "src/index.ts", ""},
		{`{"scripts": {"start": "bun src/index.ts"}}`, "release:\n  entrypoint: [bun, run, start]\n", "oven/bun:1.4.5-slim", "bun run start", "",
			"bun as PID 1 does not pass SIGTERM on to the app"},
	} {
		files := map[string][]byte{"package.json": []byte(tc.pkgJSON), "bun.lock": []byte(`{"lockfileVersion": 1, "workspaces": {"": {}}}`)}
		p, warnings, err := fill(t, "test:\n  none: the case is the release\n"+tc.extra, files, bunImages)
		assert.NilError(t, err, tc.pkgJSON)
		assert.Check(t, is.Equal(p.Release.Image.Value, tc.image), tc.pkgJSON)
		assert.Check(t, is.Equal(strings.Join(p.Release.Entrypoint.Value, " "), tc.entrypoint), tc.pkgJSON)
		assert.Check(t, is.Equal(strings.Join(p.Release.Cmd.Value, " "), tc.cmd), tc.pkgJSON)
		if tc.warning == "" {
			assert.Check(t, !strings.Contains(joinWarnings(warnings), "PackageManagerAsPID1"), tc.pkgJSON)
		} else {
			assert.Check(t, is.Contains(joinWarnings(warnings), tc.warning), tc.pkgJSON)
		}
	}

	// bun's distroless image starts bun itself: only the file
	img := func(ref string) (*plan.ImageInfo, error) {
		i, _ := bunImages(ref)
		if i.Config != nil {
			i.Config.Config.Entrypoint = []string{"/usr/local/bin/bun"}
		}
		return i, nil
	}
	files := map[string][]byte{"package.json": []byte(`{"scripts": {"start": "bun src/index.ts"}}`), "bun.lock": []byte(`{"lockfileVersion": 1, "workspaces": {"": {}}}`)}
	p, _, err := fill(t, "test:\n  none: x\n", files, img)
	assert.NilError(t, err)
	assert.Check(t, !p.Release.Entrypoint.Set())
	assert.Check(t, is.DeepEqual(p.Release.Cmd.Value, []string{"src/index.ts"}))
}

// TestBunfigToken: a literal token or password in bunfig.toml is the same
// warning as in .npmrc; one bun reads from the environment is fine.
func TestBunfigToken(t *testing.T) {
	for bunfig, warns := range map[string]bool{
		"[install]\nregistry = { url = \"https://registry.npmjs.org\", token = \"npm_abc\" }\n":                          true,
		"[install.scopes]\n\"@acme\" = { username = \"me\", password = \"hunter2\", url = \"https://npm.acme.dev/\" }\n": true,
		"[install]\nregistry = \"https://me:hunter2@npm.acme.dev/\"\n":                                                   true,
		"[install]\nregistry = { url = \"https://npm.acme.dev/token/\", token = \"$NPM_TOKEN\" }\n":                      false,
		"[install.scopes]\n\"@acme\" = { token = \"${NPM_TOKEN}\", url = \"https://npm.acme.dev/\" }\n":                  false,
		"# token = \"npm_abc\"\n[install]\nexact = true\n":                                                               false,
	} {
		files := map[string][]byte{"package.json": []byte(`{"dependencies": {"hono": "^4.6.0"}}`), "bun.lock": []byte(bunLock), "bunfig.toml": []byte(bunfig)}
		p, warnings, err := fill(t, "", files, bunImages)
		assert.NilError(t, err)
		assert.Check(t, is.Equal(strings.Contains(joinWarnings(warnings), "bunfig.toml holds a registry token"), warns), bunfig)
		assert.Check(t, is.DeepEqual(plan.Values(p.Dependencies.Config), []string{"bunfig.toml"}))
	}
}

// TestCommittedTokenLinear: a line of many references and quotes is read
// once.
func TestCommittedTokenLinear(t *testing.T) {
	line := []byte(strings.Repeat(`token = "$T", `, 1<<17) + strings.Repeat(`"`, 1<<20))
	start := time.Now()
	assert.Check(t, is.Equal(committedToken("bunfig.toml", line), ""))
	assert.Check(t, time.Since(start) < time.Second, "took %s", time.Since(start))
}
