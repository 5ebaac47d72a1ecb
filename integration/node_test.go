package integration

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/internal/image"
)

// nodeExample is one example app and what its release must and must not hold.
type nodeExample struct {
	name    string // folder under examples/
	file    string // the Stagefile, relative to the example (the build context)
	workdir string // the release's working directory
	cmd     []string
	present []string // paths (without the leading /) that must be in the release
	absent  []string // paths that must not be, nor anything under them
}

var nodeExamples = []nodeExample{
	{
		name: "node-npm", file: "Stagefile", workdir: "/app", cmd: []string{"dist/server.js"},
		present: []string{"app/dist/server.js", "app/dist/orders.js", "app/package.json", "app/node_modules/zod/package.json"},
		absent:  []string{"app/package-lock.json", "app/node_modules/typescript", "app/node_modules/@types", "app/src", "app/test", "app/.test-build", "app/reports", "app/tsconfig.json"},
	},
	{
		name: "node-yarn-berry", file: "Stagefile", workdir: "/app", cmd: []string{"src/server.js"},
		present: []string{"app/src/server.js", "app/package.json", "app/node_modules/koa/package.json", "app/node_modules/@koa/router/package.json"},
		absent:  []string{"app/yarn.lock", "app/node_modules/mocha", "app/test", "app/.yarn/cache", "root/.yarn"},
	},
	{
		name: "node-pnpm-monorepo", file: "apps/api/Stagefile", workdir: "/app/apps/api", cmd: []string{"src/server.js"},
		present: []string{"app/apps/api/src/app.js", "app/packages/shared/src/index.js", "app/node_modules/.pnpm/cookie@1.1.1/node_modules/cookie/package.json",
			"app/node_modules/.pnpm/ms@2.1.3/node_modules/ms/package.json", "app/apps/api/node_modules/@acme/shared",
			// TypeScript, compiled before the api's tests and build: its output ships, not its source nor tsc
			"app/packages/logger/dist/index.js", "app/apps/api/node_modules/@acme/logger"},
		absent: []string{"app/node_modules/.pnpm/escape-html@1.0.3", "app/node_modules/.pnpm/prettier@3.10.1", "app/node_modules/prettier",
			"app/apps/web/src", "app/apps/web/node_modules", "app/apps/api/test", "app/apps/worker/src",
			"app/packages/logger/src", "app/node_modules/.pnpm/typescript@5.9.3", "app/tsconfig.base.json"},
	},
	{
		name: "node-pnpm-monorepo", file: "apps/web/Stagefile", workdir: "/app/apps/web", cmd: []string{"src/server.js"},
		present: []string{"app/apps/web/dist/index.html", "app/apps/web/src/server.js", "app/packages/shared/src/index.js",
			"app/node_modules/.pnpm/escape-html@1.0.3/node_modules/escape-html/package.json"},
		absent: []string{"app/node_modules/.pnpm/cookie@1.1.1", "app/node_modules/.pnpm/prettier@3.10.1", "app/apps/api/src", "app/apps/web/test"},
	},
	{
		// uses no workspace package: its own files ship, nothing of packages/
		name: "node-pnpm-monorepo", file: "apps/worker/Stagefile", workdir: "/app/apps/worker", cmd: []string{"src/server.js"},
		present: []string{"app/apps/worker/src/server.js", "app/apps/worker/src/jobs.js", "app/node_modules/.pnpm/ms@2.1.3/node_modules/ms/package.json"},
		absent:  []string{"app/packages/shared/src", "app/packages/logger", "app/apps/api/src", "app/apps/worker/test", "app/node_modules/.pnpm/cookie@1.1.1"},
	},
	{
		// "test": "vitest" watches unless CI is set: the build must not hang
		name: "node-vitest", file: "Stagefile", workdir: "/app", cmd: []string{"src/server.js"},
		present: []string{"app/src/server.js", "app/src/greet.js", "app/package.json"},
		absent:  []string{"app/node_modules/vitest", "app/node_modules/vite", "app/node_modules/.vite", "app/test", "app/package-lock.json", "app/Stagefile"},
	},
	{
		name: "node-native", file: "Stagefile", workdir: "/app", cmd: []string{"src/server.js"},
		present: []string{"app/node_modules/bcrypt/lib/binding/napi-v3/bcrypt_lib.node", "app/src/app.js"},
		// built on the full image, run on the slim one: no compiler ships
		absent: []string{"usr/bin/g++", "usr/bin/gcc", "usr/bin/make", "usr/bin/python3", "app/test"},
	},
}

// packageCaches are where npm, yarn, pnpm and corepack keep caches; none may
// reach a release.
var packageCaches = []string{"root/.npm", "root/.yarn", "root/.cache", "root/.local/share/pnpm", "usr/local/share/.cache",
	"home/node/.npm", "home/node/.cache", "tmp"}

// TestNodeExamples builds every Node.js example through "# syntax=", checks
// its release holds only that app's production dependencies and outputs,
// then runs it.
func TestNodeExamples(t *testing.T) {
	t.Parallel()
	for _, ex := range nodeExamples {
		t.Run(ex.name+"/"+ex.file, func(t *testing.T) {
			t.Parallel()
			dir := example(t, ex.name)
			ref := uniqueRef(t, ex.name)
			out, err := buildctl(t, dir, "--progress=rawjson", "--opt", "filename="+ex.file, "--output", pushOutput(ref))
			p := parseProgress(t, out)
			t.Logf("steps:\n%s", p.summary())
			assert.NilError(t, err, tail(out, 20))

			img := pullImage(t, ref)
			files := filesOf(t, img)
			for _, want := range ex.present {
				assert.Check(t, files[want] != nil, "%s missing from the release", want)
			}
			for _, unwanted := range ex.absent {
				assert.Check(t, files[unwanted] == nil && len(image.Under(files, unwanted)) == 0,
					"%s must not be in the release: %v", unwanted, first(image.Under(files, unwanted), 3))
			}
			for _, cache := range packageCaches { // the folder may exist in the base; its content may not
				assert.Check(t, is.Len(image.Under(files, cache), 0), "files in %s: %v", cache, first(image.Under(files, cache), 3))
			}
			// runtime hygiene, from the preset
			cfg := img.Config.Config
			assert.Check(t, is.DeepEqual(cfg.Entrypoint, []string{"node"}), "node as PID 1")
			assert.Check(t, is.DeepEqual(cfg.Cmd, ex.cmd))
			assert.Check(t, is.Equal(cfg.User, "node"))
			assert.Check(t, is.Equal(cfg.WorkingDir, ex.workdir))
			assert.Check(t, is.Contains(cfg.Env, "NODE_ENV=production"))
			t.Logf("release: %.1f MB compressed", float64(img.CompressedSize())/1e6)

			runAndCheckHealth(t, ref)
		})
	}
}

// TestNativeAddonRunsOnSlim: the addon compiled on the full image works in
// the slim release, which has no compiler.
func TestNativeAddonRunsOnSlim(t *testing.T) {
	t.Parallel()
	requireDocker(t)
	dir := example(t, "node-native")
	ref := uniqueRef(t, "node-native")
	out, err := buildctl(t, dir, "--progress=plain", "--output", pushOutput(ref))
	assert.NilError(t, err, tail(out, 20))
	assert.Check(t, is.Contains(out, "[image] node:20-bookworm\n"), "dependencies built on the full image")
	out, err = run(t, "", dockerEnv(), "docker", "pull", ref)
	assert.NilError(t, err, out)
	// run the compiled addon in the release image itself
	out, err = run(t, "", dockerEnv(), "docker", "run", "--rm", "--network", "none", ref,
		"-e", `require("bcrypt").hash("x", 4).then(h => console.log(h.slice(0, 7)))`)
	assert.NilError(t, err, out)
	assert.Check(t, is.Equal(strings.TrimSpace(out), "$2b$04$"))
	out, _ = run(t, "", dockerEnv(), "docker", "run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", ref, "-c", "command -v g++ make python3 || echo none")
	assert.Check(t, is.Equal(strings.TrimSpace(out), "none"), "compilers in the runtime image")
}

// TestSecretsNeverInLayers passes a unique token as a file secret and as an
// env secret, checks the installs saw it, then scans every layer and the
// config of every target's result: zero occurrences, and no .npmrc file.
func TestSecretsNeverInLayers(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-npm")
	token := fmt.Sprintf("stagefile-secret-%d", unique())
	// a registry this build doesn't use, so npm holds the token without sending it
	secretFile := filepath.Join(t.TempDir(), "npmrc")
	writeFile(t, secretFile, "//npm.example.invalid/:_authToken="+token+"\n")
	writeFile(t, filepath.Join(dir, "Stagefile"), `# syntax=`+env.frontend+`
version: 1
preset: node
image: node:20-bookworm-slim
secrets:
  - id: npmrc
    target: .npmrc
    required: true
  - id: token
    env: NPM_TOKEN
    required: true
dependencies:
  # fail unless both secrets really are there
  production: grep -q _authToken= .npmrc && test -n "$NPM_TOKEN" && npm ci --omit=dev --no-audit --no-fund
  development: grep -q _authToken= .npmrc && npm ci --no-audit --no-fund
build:
  outputs: [dist]
`)
	secrets := []string{"--secret", "id=npmrc,src=" + secretFile, "--secret", "id=token,env=STAGEFILE_TEST_TOKEN"}
	for _, target := range []string{"dependencies", "development", "test", "build", "release"} {
		// one after the other: a build without the secrets must not join
		// the installs of one that has them (BuildKit shares a step that
		// runs in two builds at once, and secrets are not in its key)
		t.Run(target, func(t *testing.T) {
			tarPath := filepath.Join(t.TempDir(), "image.tar")
			args := append([]string{"--addr", env.buildkit, "build", "--frontend", "dockerfile.v0", "--progress=plain",
				"--local", "context=" + dir, "--local", "dockerfile=" + dir, "--opt", "filename=Stagefile", "--opt", "target=" + target,
				"--output", "type=oci,dest=" + tarPath}, secrets...)
			out, err := run(t, dir, []string{"STAGEFILE_TEST_TOKEN=" + token}, "buildctl", args...)
			assert.NilError(t, err, tail(out, 20))
			assert.Check(t, !strings.Contains(out, token), "the token is in the build output")

			raw, err := os.ReadFile(tarPath)
			assert.NilError(t, err)
			img := ociImage(t, tarPath)
			found := bytes.Count(raw, []byte(token))
			cfg, _ := jsonString(img.Config)
			found += strings.Count(cfg, token)
			for i, layer := range img.Layers {
				n := bytes.Count(layer.Tar, []byte(token))
				assert.Check(t, n == 0, "layer %d holds the token %d times", i, n)
				found += n
			}
			assert.Check(t, is.Equal(found, 0))
			for name := range filesOf(t, img) {
				assert.Check(t, filepath.Base(name) != ".npmrc", "%s is in a layer", name)
			}
			t.Logf("target %s: %d layers scanned, token found %d times", target, len(img.Layers), found)
		})
	}

	// without the required secret, the build fails and says which one
	// (--no-cache: secrets are not part of cache keys, so a cached install
	// would not run and could not notice)
	out, err := buildctl(t, dir, "--progress=plain", "--no-cache")
	assert.Assert(t, err != nil, "built without the required secret")
	assert.Check(t, is.Contains(out, "secret npmrc: not found"))
}

// TestTestReports: --target test with a local exporter gives just the reports.
func TestTestReports(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-npm")
	// a unique test file, so the test step runs and prints here
	appendFile(t, filepath.Join(dir, "test", "app.test.ts"), fmt.Sprintf("// run %d\n", unique()))
	dest := filepath.Join(t.TempDir(), "out")
	out, err := buildctl(t, dir, "--progress=plain", "--opt", "target=test", "--output", "type=local,dest="+dest)
	assert.NilError(t, err, tail(out, 20))
	report := readFile(t, filepath.Join(dest, "reports", "junit.xml"))
	assert.Check(t, is.Contains(report, `<testcase name="an order gets its total"`))
	entries, err := os.ReadDir(dest)
	assert.NilError(t, err)
	assert.Check(t, is.Len(entries, 1), "only the reports are exported")
	assert.Check(t, is.Contains(out, "✔ an order gets its total"), "the test output stays readable in the progress stream")
}

// TestMonorepoOtherAppEditKeepsDependencies: editing the web app (or any
// source) leaves the api's installs cached.
func TestMonorepoOtherAppEditKeepsDependencies(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-pnpm-monorepo")
	args := []string{"--progress=rawjson", "--opt", "filename=apps/api/Stagefile"}
	out, err := buildctl(t, dir, args...)
	assert.NilError(t, err, tail(out, 20))
	appendFile(t, filepath.Join(dir, "apps", "web", "src", "page.js"), fmt.Sprintf("// edited %d\n", unique()))
	appendFile(t, filepath.Join(dir, "packages", "shared", "src", "index.js"), fmt.Sprintf("// edited %d\n", unique()))
	out, err = buildctl(t, dir, args...)
	p := parseProgress(t, out)
	t.Logf("after editing apps/web and packages/shared:\n%s", p.summary())
	assert.NilError(t, err, tail(out, 20))
	for _, step := range []string{"[tools] corepack enable", "[dependencies] copy manifests", "[dependencies] pnpm install --prod", "[development] pnpm install"} {
		assert.Check(t, p.step(t, step).Cached, "%s ran again after a source edit", step)
	}
	assert.Check(t, !p.step(t, "[test] pnpm test").Cached, "the tests ran on the edited source")
}

// TestHygieneWarnings: unsafe runtime settings build, with a warning that
// points at the Stagefile line.
func TestHygieneWarnings(t *testing.T) {
	t.Parallel()
	// yarn berry is not in the release image (no corepack cache), so the
	// start check would rightly fail: this test is about the warnings.
	dir := unsafeRelease(t, "  user: root\n  entrypoint: [yarn, start]\n  check: false\n")
	out, err := buildctl(t, dir, "--progress=rawjson")
	assert.NilError(t, err, tail(out, 20))
	warnings := strings.Join(parseProgress(t, out).warnings, "\n")
	assert.Check(t, is.Contains(warnings, "PackageManagerAsPID1: yarn as PID 1 does not pass SIGTERM on to the app, so docker stop waits and then kills it (start the app directly, e.g. [node, dist/server.js]) (Stagefile line 9)"))
	assert.Check(t, is.Contains(warnings, "RunsAsRoot: the app runs as root (use an unprivileged user, e.g. node or 1000) (Stagefile line 8)"))
}

// TestLockfileOutOfSync: a lockfile that doesn't match package.json fails
// before any install, naming the file and the fix.
func TestLockfileOutOfSync(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-npm")
	pkgPath := filepath.Join(dir, "package.json")
	writeFile(t, pkgPath, strings.Replace(readFile(t, pkgPath), `"zod": "^3.24.1"`, `"zod": "^3.24.1", "left-pad": "^1.3.0"`, 1))
	out, err := buildctl(t, dir, "--progress=plain")
	assert.Assert(t, err != nil)
	assert.Check(t, is.Contains(out, "package-lock.json is out of sync with package.json: it does not record left-pad@^1.3.0 (package.json) (run npm install and commit package-lock.json)"))
	assert.Check(t, !strings.Contains(out, "npm ci"), "nothing was installed")
}

// unsafeRelease is the yarn berry example with its release section
// replaced (lines 8 onwards of the Stagefile).
func unsafeRelease(t *testing.T, release string) string {
	t.Helper()
	dir := example(t, "node-yarn-berry")
	writeFile(t, filepath.Join(dir, "Stagefile"), "# syntax="+env.frontend+`
version: 1
preset: node
image: node:20-bookworm-slim
build:
  outputs: [src]
release:
`+release)
	return dir
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// TestNativeAddonCompiledOnce: the development install adds the dev
// packages to the production install instead of redoing it, so a native
// addon is compiled once per build: one link of bcrypt_lib.node in the
// whole progress stream of a build that runs every step.
func TestNativeAddonCompiledOnce(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-native")
	out, err := buildctl(t, dir, "--progress=rawjson", "--no-cache")
	p := parseProgress(t, out)
	t.Logf("steps:\n%s", p.summary())
	assert.NilError(t, err, tail(out, 20))
	compiles := 0
	for _, d := range p.order {
		compiles += strings.Count(p.log(p.vertices[d]), "SOLINK_MODULE(target) Release/obj.target/bcrypt_lib.node")
	}
	assert.Check(t, is.Equal(compiles, 1), "bcrypt was compiled %d times", compiles)
	assert.Check(t, !p.step(t, "[development] ").Cached)
}

// TestLocalDependencyFoldersNotCopied: a developer's own node_modules or
// .venv in a context without a .dockerignore does not replace what the
// installs put in place (broken copies here would fail the tests).
func TestLocalDependencyFoldersNotCopied(t *testing.T) {
	t.Parallel()
	for name, junk := range map[string]map[string]string{
		"node-yarn": {"node_modules/express/package.json": `{"name": "express", "main": "broken.js"}`,
			"node_modules/express/broken.js": `throw new Error("the context's node_modules was copied")`},
		"python-uv": {".venv/lib/python3.11/site-packages/fastapi/__init__.py": `raise ImportError("the context's .venv was copied")`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := example(t, name)
			assert.NilError(t, os.Remove(filepath.Join(dir, ".dockerignore")))
			for path, content := range junk {
				writeFile(t, filepath.Join(dir, path), content)
			}
			out, err := buildctl(t, dir, "--progress=plain")
			assert.NilError(t, err, tail(out, 30))
			assert.Check(t, !strings.Contains(out, "was copied"))
		})
	}
}
