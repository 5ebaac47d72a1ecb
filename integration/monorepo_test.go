package integration

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/internal/image"
)

// workspaces are the same monorepo (three apps, three packages; the api
// uses packages/shared and packages/logger, a TypeScript package built to
// dist/; the worker uses none) under each package manager.
var workspaces = []struct {
	name string
	dir  func(t *testing.T) string
	test string // the api's test step
}{
	{"pnpm", func(t *testing.T) string { return example(t, "node-pnpm-monorepo") }, "[test] pnpm test"},
	{"npm", func(t *testing.T) string { return fixture(t, "workspaces/npm") }, "[test] npm run test"},
	{"yarn-berry", func(t *testing.T) string { return fixture(t, "workspaces/yarn-berry") }, "[test] yarn test"},
}

// fixture copies integration/testdata/<name> into a temporary directory.
func fixture(t testing.TB, name string) string {
	t.Helper()
	return copyDir(t, filepath.Join(repoRoot(t), "integration", "testdata", name), filepath.Join(t.TempDir(), filepath.Base(name)))
}

// edit makes a JavaScript or JSONC file differ from every earlier build's.
func edit(t *testing.T, file string) {
	t.Helper()
	appendFile(t, file, fmt.Sprintf("\n// edited %d\n", unique()))
}

// TestMonorepoScope: an app of a workspace sees only what it uses. An
// edit in another app keeps every one of its steps cached; an edit in a
// package it uses reruns its tests; an edit in the root's tsconfig reruns
// the build of its TypeScript package. Its release holds no file of the
// other apps. Per package manager; from a Stagefile of preset, app and a
// port alone.
func TestMonorepoScope(t *testing.T) {
	t.Parallel()
	for _, ws := range workspaces {
		t.Run(ws.name, func(t *testing.T) {
			t.Parallel()
			dir := ws.dir(t)
			args := []string{"--progress=rawjson", "--opt", "filename=apps/api/Stagefile"}
			build := func(what string, more ...string) *progress {
				t.Helper()
				out, err := buildctl(t, dir, append(args, more...)...)
				p := parseProgress(t, out)
				t.Logf("%s:\n%s", what, p.summary())
				assert.NilError(t, err, tail(out, 30))
				return p
			}
			ref := uniqueRef(t, "monorepo-"+ws.name)
			build("first build", "--output", pushOutput(ref))
			files := filesOf(t, pullImage(t, ref))
			for _, want := range []string{"app/apps/api/src/app.js", "app/packages/shared/src/index.js", "app/packages/logger/dist/index.js"} {
				assert.Check(t, files[want] != nil, "%s missing from the release", want)
			}
			for _, unwanted := range []string{"app/apps/web/src", "app/apps/worker/src", "app/apps/api/test", "app/packages/logger/src"} {
				assert.Check(t, len(image.Under(files, unwanted)) == 0, "%s must not be in the release", unwanted)
			}

			edit(t, filepath.Join(dir, "apps", "worker", "src", "jobs.js"))
			edit(t, filepath.Join(dir, "apps", "web", "src", "page.js"))
			p := build("after editing the worker and the web app")
			for _, step := range []string{"[build workspace packages]", ws.test, "[source] copy"} {
				assert.Check(t, p.step(t, step).Cached, "%s ran again after an edit in another app", step)
			}

			edit(t, filepath.Join(dir, "packages", "shared", "src", "index.js"))
			p = build("after editing packages/shared")
			assert.Check(t, !p.step(t, ws.test).Cached, "the tests did not run on the edited package")

			edit(t, filepath.Join(dir, "tsconfig.base.json")) // tsc reads JSON with comments
			p = build("after editing tsconfig.base.json")
			assert.Check(t, !p.step(t, "[build workspace packages]").Cached, "the TypeScript package was not built again")
		})
	}
}

// TestMonorepoScopeGoAndUv: the same promise for a go.work workspace and
// a uv workspace: an edit in another app keeps the app's test and build
// cached, an edit in the shared module or member reruns its tests, and
// its release holds nothing of the other app.
func TestMonorepoScopeGoAndUv(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		example, file       string
		other, shared, test string
		absent              []string
	}{
		{"go-work", "apps/api/Stagefile", "apps/worker/worker.go", "libs/greet/greet.go", "[test] go vet ./... && go test ./...", []string{"app/apps/worker", "app/libs"}},
		{"python-uv-workspace", "packages/api/Stagefile", "packages/worker/src/worker/jobs.py", "packages/shared/src/shared/money.py", "[test] python -m pytest",
			[]string{"app/packages/worker/src", "app/packages/api/tests"}},
	} {
		t.Run(tc.example, func(t *testing.T) {
			t.Parallel()
			dir := example(t, tc.example)
			args := []string{"--progress=rawjson", "--opt", "filename=" + tc.file}
			build := func(what string, more ...string) *progress {
				t.Helper()
				out, err := buildctl(t, dir, append(args, more...)...)
				p := parseProgress(t, out)
				t.Logf("%s:\n%s", what, p.summary())
				assert.NilError(t, err, tail(out, 30))
				return p
			}
			comment := "\n// edited %d\n"
			if strings.HasSuffix(tc.other, ".py") {
				comment = "\n# edited %d\n"
			}
			mark := func(file string) { appendFile(t, filepath.Join(dir, file), fmt.Sprintf(comment, unique())) }
			mark(tc.shared) // a new source: the first build's steps run
			ref := uniqueRef(t, tc.example)
			build("first build", "--output", pushOutput(ref))
			files := filesOf(t, pullImage(t, ref))
			for _, unwanted := range tc.absent {
				assert.Check(t, len(image.Under(files, unwanted)) == 0, "%s must not be in the release", unwanted)
			}
			mark(tc.other)
			p := build("after editing the other app")
			assert.Check(t, p.step(t, tc.test).Cached, "the tests ran again after an edit in another app")
			mark(tc.shared)
			p = build("after editing the shared code")
			assert.Check(t, !p.step(t, tc.test).Cached, "the tests did not run on the edited shared code")
		})
	}
}

// bakeTest is an app's test step as bake names it: the target's name is
// in the step's prefix.
var bakeTest = regexp.MustCompile(`^\[(api|web|worker) test\] pnpm test`)

// TestBake: `stagefile bake` prints a bake file that builds every app of
// the monorepo in one `docker buildx bake` call on the harness's builder;
// after an edit in one app, a second call reruns that app's tests alone.
func TestBake(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-pnpm-monorepo")
	bin := stagefileBin(t)
	out, err := run(t, dir, nil, bin, "bake")
	assert.NilError(t, err, out)
	writeFile(t, filepath.Join(dir, "docker-bake.json"), out)
	for _, app := range []string{"api", "web", "worker"} {
		assert.Check(t, is.Contains(out, `"`+app+`"`), out)
	}
	builder := remoteBuilder(t, fmt.Sprintf("stagefile-bake-%d", unique()))
	newSource(t, dir, "apps/web/src/page.js")
	newSource(t, dir, "apps/worker/src/jobs.js")
	newSource(t, dir, "apps/api/src/app.js")
	bake := func(what string) *progress {
		t.Helper()
		out, err := run(t, dir, nil, "docker", "buildx", "bake", "--builder", builder, "--progress=rawjson", "-f", "docker-bake.json")
		p := parseProgress(t, out)
		t.Logf("%s:\n%s", what, p.summary())
		assert.NilError(t, err, tail(out, 30))
		return p
	}
	p := bake("every app")
	tests := func(p *progress) (ran, cached int) {
		for _, d := range p.order {
			if v := p.vertices[d]; bakeTest.MatchString(v.Name) {
				if v.Cached {
					cached++
				} else {
					ran++
				}
			}
		}
		return ran, cached
	}
	ran, _ := tests(p)
	assert.Check(t, is.Equal(ran, 3), "each app's tests ran once")
	newSource(t, dir, "apps/worker/src/jobs.js")
	ran, cached := tests(bake("after an edit in the worker"))
	assert.Check(t, is.Equal(ran, 1), "only the worker's tests ran again")
	assert.Check(t, is.Equal(cached, 2), "the api's and the web app's tests were cached")
}
