package integration

import (
	"fmt"
	"path/filepath"
	"testing"

	"gotest.tools/v3/assert"

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
