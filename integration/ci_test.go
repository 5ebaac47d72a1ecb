package integration

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/internal/image"
)

// TestSBOM: docker buildx build --sbom=true attaches the frontend's own
// SPDX document, with no scanner image to pull (none is reachable here):
// the release's production packages, not the dev dependencies; and
// --provenance=mode=max works alongside.
func TestSBOM(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-yarn")
	builder := remoteBuilder(t, "stagefile-test-sbom")
	ref := uniqueRef(t, "sbom")
	out, err := run(t, dir, nil, "docker", "buildx", "build", "--builder", builder, "--progress=plain",
		"-f", "Stagefile", "--sbom=true", "--provenance=mode=max", "--output", pushOutput(ref), ".")
	assert.NilError(t, err, tail(out, 30))
	atts, err := image.Attestations(ref)
	assert.NilError(t, err)
	statement, ok := atts["https://spdx.dev/Document"]
	assert.Assert(t, ok, "no SPDX attestation; have %v", keys(atts))
	names := sbomPackages(t, statement)
	assert.Check(t, names["express"] != "", "express is not in the SBOM: %v", names)
	for _, dev := range []string{"jest", "@babel/core", "babel-jest"} {
		assert.Check(t, is.Equal(names[dev], ""), "%s (a dev dependency) is in the SBOM", dev)
	}
	t.Logf("SBOM: %d packages", len(names))
	_, ok = atts["https://slsa.dev/provenance/v0.2"]
	if !ok {
		_, ok = atts["https://slsa.dev/provenance/v1"]
	}
	assert.Check(t, ok, "no provenance attestation; have %v", keys(atts))
}

// sbomPackages reads an SPDX attestation's packages: name → version.
func sbomPackages(t *testing.T, statement []byte) map[string]string {
	t.Helper()
	var doc struct {
		Predicate struct {
			Packages []struct {
				Name    string `json:"name"`
				Version string `json:"versionInfo"`
			} `json:"packages"`
		} `json:"predicate"`
	}
	assert.NilError(t, json.Unmarshal(statement, &doc))
	names := map[string]string{}
	for _, p := range doc.Predicate.Packages {
		names[p.Name] = p.Version
	}
	return names
}

// TestSBOMFromRelease: without a lockfile the frontend reads, the SBOM
// lists what the release holds: the distributions of a Python virtualenv
// (not the dev group's pytest), the modules of a Go binary.
func TestSBOMFromRelease(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		example   string
		want, not []string
	}{
		{"python-uv", []string{"fastapi", "pydantic", "uvicorn"}, []string{"pytest"}},
		{"go-http", []string{"github.com/go-chi/chi/v5", "stdlib"}, nil},
	} {
		dir := example(t, tc.example)
		ref := uniqueRef(t, "sbom-"+tc.example)
		out, err := buildctl(t, dir, "--progress=plain", "--opt", "attest:sbom=", "--output", pushOutput(ref))
		if !assert.Check(t, err, tail(out, 30)) {
			continue
		}
		atts, err := image.Attestations(ref)
		assert.NilError(t, err)
		statement, ok := atts["https://spdx.dev/Document"]
		if !assert.Check(t, ok, "%s: no SPDX attestation; have %v", tc.example, keys(atts)) {
			continue
		}
		names := sbomPackages(t, statement)
		for _, w := range tc.want {
			assert.Check(t, names[w] != "", "%s: %s is not in the SBOM: %v", tc.example, w, names)
		}
		for _, n := range tc.not {
			assert.Check(t, is.Equal(names[n], ""), "%s: %s (a dev dependency) is in the SBOM", tc.example, n)
		}
		t.Logf("%s: %d packages", tc.example, len(names))
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestReproducible: the same commit built on a fresh daemon and on the
// shared one, whose caches other builds of the examples have filled, with
// the same SOURCE_DATE_EPOCH and the exporter's rewrite-timestamp, gives
// the same release digest, for every example: native addons, pnpm,
// distroless and the Python package managers (.pyc files and extensions
// built from sdists) included. The digest depends on neither the daemon
// nor what its cache holds. go-http is left out for time: a fresh daemon
// downloads and compiles its modules for almost four minutes (docs/ci.md).
func TestReproducible(t *testing.T) {
	t.Parallel()
	examples := []struct{ name, file string }{
		{"node-yarn", "Stagefile"}, {"node-npm", "Stagefile"}, {"node-yarn-berry", "Stagefile"},
		{"node-native", "Stagefile"}, {"node-pnpm-monorepo", "apps/api/Stagefile"}, {"node-distroless", "Stagefile"},
		{"python-uv", "Stagefile"}, {"python-pip", "Stagefile"}, {"python-poetry", "Stagefile"},
	}
	dirs := map[string]string{}
	for _, ex := range examples {
		dirs[ex.name] = example(t, ex.name)
	}
	daemons := []string{freshDaemon(t), env0()}
	var mu sync.Mutex
	digests := make([]map[string]string, len(daemons))
	var wg sync.WaitGroup
	for i, addr := range daemons {
		digests[i] = map[string]string{}
		// a few builds at once per daemon: most of their time is
		// downloads and pushes
		work := make(chan int)
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := range work {
					ex := examples[n]
					ref := uniqueRef(t, "repro-"+ex.name)
					out, err := buildctlOn(t, addr, dirs[ex.name], "--progress=plain", "--opt", "filename="+ex.file,
						"--opt", "build-arg:SOURCE_DATE_EPOCH=1700000000", "--output", pushOutput(ref)+",rewrite-timestamp=true")
					if !assert.Check(t, err == nil, "%s on daemon %d: %v\n%s", ex.name, i, err, tail(out, 20)) {
						continue
					}
					d, err := image.Digest(ref)
					assert.Check(t, err)
					mu.Lock()
					digests[i][ex.name] = d
					mu.Unlock()
				}
			}()
		}
		go func() {
			for n := range examples {
				work <- n
			}
			close(work)
		}()
	}
	wg.Wait()
	for _, ex := range examples {
		if assert.Check(t, digests[0][ex.name] != "" && digests[0][ex.name] == digests[1][ex.name],
			"%s: %s on a fresh daemon, %s on the shared one", ex.name, digests[0][ex.name], digests[1][ex.name]) {
			t.Logf("%s: %s on both", ex.name, digests[0][ex.name])
		}
	}
}

// TestFreshRunnerRegistryCache: CI as it runs, a new daemon per job with
// the cache in a registry: after a source edit the dependency installs
// are cache hits imported from the registry, and the tests run again;
// after a new dependency (with dependencies.fetch) one fetch step
// downloads, and the others' packages come from the registry cache.
func TestFreshRunnerRegistryCache(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-yarn")
	sf := filepath.Join(dir, "Stagefile")
	writeFile(t, sf, strings.Replace(readFile(t, sf), "dependencies:\n", "dependencies:\n  fetch: true\n", 1))
	cache := fmt.Sprintf("%s/stagefile-test/cache:node-yarn-%d", env.registry, unique())
	cacheOpts := []string{"--export-cache", "type=registry,ref=" + cache + ",mode=max,registry.insecure=true",
		"--import-cache", "type=registry,ref=" + cache + ",registry.insecure=true"}
	out, err := buildctlOn(t, freshDaemon(t), dir, append([]string{"--progress=plain"}, cacheOpts...)...)
	assert.NilError(t, err, tail(out, 20))

	appendFile(t, filepath.Join(dir, "src", "app.js"), fmt.Sprintf("// edited %d\n", unique()))
	out, err = buildctlOn(t, freshDaemon(t), dir, append([]string{"--progress=rawjson"}, cacheOpts...)...)
	p := parseProgress(t, out)
	t.Logf("second job, after a source edit:\n%s", p.summary())
	assert.NilError(t, err, tail(out, 20))
	// a step loaded from the registry cache shows in the progress stream
	// as not cached (its layers are downloaded), but runs nothing: yarn
	// prints no line
	for _, name := range []string{"[dependencies] yarn install", "[development] yarn install"} {
		step := p.step(t, name)
		assert.Check(t, step.Cached || !strings.Contains(p.log(step), "Resolving packages"),
			"%s ran again on a fresh daemon with the registry cache:\n%s", name, p.log(step))
	}
	assert.Check(t, !p.step(t, "[test] yarn run test").Cached, "the tests must run on the edited source")

	// a new dependency: the installs run again, and of the fetch steps
	// only the one whose group left-pad joins downloads anything; the
	// others come from the registry cache
	pkgPath := filepath.Join(dir, "package.json")
	writeFile(t, pkgPath, strings.Replace(readFile(t, pkgPath), `"express": "^4.21.2"`, `"express": "^4.21.2", "left-pad": "^1.3.0"`, 1))
	appendFile(t, filepath.Join(dir, "yarn.lock"), `
left-pad@^1.3.0:
  version "1.3.0"
  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#5b8a3a7765dfe001261dde915589e782f8c94d1e"
  integrity sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQGinBN9yTQT3bFlCBy/aVx2HrNcqQGsdot8ghrjyrvMCoEA==
`)
	out, err = buildctlOn(t, freshDaemon(t), dir, append([]string{"--progress=rawjson"}, cacheOpts...)...)
	p = parseProgress(t, out)
	t.Logf("third job, after adding a dependency:\n%s", p.summary())
	assert.NilError(t, err, tail(out, 20))
	var fetched []string
	steps := 0
	for _, d := range p.order {
		v := p.vertices[d]
		if strings.HasPrefix(v.Name, "[fetch] ") && strings.Contains(v.Name, " packages: ") {
			steps++
			if strings.Contains(p.log(v), "packages fetched") {
				fetched = append(fetched, v.Name)
			}
		}
	}
	assert.Check(t, steps > 1, "no fetch steps")
	assert.Check(t, is.Len(fetched, 1), "fetch steps that downloaded: %v", fetched)
	assert.Check(t, is.Contains(p.log(p.step(t, "[dependencies] yarn install")), "Resolving packages"), "the production install must run again")
}

// TestReportsOfFailingTests: examples/ci/build.sh on a fresh daemon with
// a registry cache, on an app whose test fails: the JUnit report and the
// exit code are exported, then the release fails on the same (cached)
// test run, and nothing is pushed.
func TestReportsOfFailingTests(t *testing.T) {
	t.Parallel()
	dir := example(t, "failing-test")
	writeFile(t, filepath.Join(dir, "Stagefile"), "# syntax="+env.frontend+`
version: 1
image: node:20-bookworm-slim
dependencies:
  manifests: [package.json]
test:
  run: mkdir -p reports && node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=reports/junit.xml src/
  reports: [reports/junit.xml]
build:
  run: npm run build
  outputs: [dist]
release:
  user: node
  cmd: [node, dist/index.js]
`)
	ref := uniqueRef(t, "ci-failing")
	reports := filepath.Join(t.TempDir(), "reports")
	out, err := run(t, dir, []string{
		"BUILDKIT_HOST=" + freshDaemon(t), "IMAGE=" + ref, "REPORTS=" + reports, "REGISTRY_INSECURE=1",
		"CACHE=" + env.registry + "/stagefile-test/cache:ci-" + fmt.Sprint(unique()),
	}, filepath.Join(repoRoot(t), "examples", "ci", "build.sh"), dir)
	t.Log(tail(out, 30))
	assert.Assert(t, err != nil, "the job passed though a test fails")
	assert.Check(t, is.Contains(readFile(t, filepath.Join(reports, "reports", "junit.xml")), `<testcase name="greet ends the sentence"`))
	assert.Check(t, is.Equal(readFile(t, filepath.Join(reports, "exit-code")), "1\n"))
	assert.Check(t, is.Contains(out, "the tests failed (exit code 1)"))
	assert.Check(t, is.Contains(out, "test reports in "+reports+" (the tests exited 1)"))
	assert.Check(t, !inRegistry(t, ref), "a release was pushed for failing tests")
}
