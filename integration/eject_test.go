package integration

import (
	"archive/tar"
	"bytes"
	"fmt"
	"maps"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/internal/image"
)

// ejectExamples are the examples whose release is built both ways: the
// Stagefile through its frontend, and the Dockerfile `stagefile eject`
// prints through BuildKit's own Dockerfile frontend.
var ejectExamples = []struct{ name, file string }{
	{"node-yarn", "Stagefile"}, {"node-npm", "Stagefile"}, {"node-vitest", "Stagefile"}, {"node-yarn-berry", "Stagefile"},
	{"node-native", "Stagefile"}, {"node-distroless", "Stagefile"}, {"node-multiplatform", "Stagefile"},
	{"node-pnpm-monorepo", "apps/api/Stagefile"}, {"node-pnpm-monorepo", "apps/web/Stagefile"},
	{"python-uv", "Stagefile"}, {"python-poetry", "Stagefile"}, {"python-pip", "Stagefile"},
	{"python-uv-workspace", "packages/api/Stagefile"},
	{"go-http", "Stagefile"}, {"go-work", "apps/api/Stagefile"},
	{"rust-axum", "Stagefile"}, {"java-maven", "Stagefile"}, {"node-bun", "Stagefile"},
}

// allowedDifference is a way the ejected release may differ from the
// Stagefile's, and why. applies says whether it applies to an example,
// from what eject printed on stderr and the Stagefile's image.
type allowedDifference struct {
	what    string
	why     string
	applies func(notes string, stagefile *image.Image) bool
}

// allowedDifferences is every way the two releases may differ. Anything
// else in the compared file tree (paths, types, modes, owners, sizes,
// link targets) or config (env, user, workdir, entrypoint, cmd, ports,
// healthcheck, stop signal) fails the test.
var allowedDifferences = []allowedDifference{
	{
		what: "config user",
		why: "the node preset picks the runtime image's unprivileged user (node, nonroot) at build time, from its /etc/passwd; " +
			"eject reads no image (it runs without a daemon, like stagefile plan), so the ejected release keeps the runtime " +
			"image's own user, and eject says so on stderr (write release.user in the Stagefile to carry it over)",
		applies: func(notes string, _ *image.Image) bool { return strings.Contains(notes, "release.user: preset") },
	},
	{
		what: "config env PATH",
		why: "the python preset puts the virtualenv before the runtime image's PATH, which it reads from the image at build " +
			"time; eject takes the official images' PATH, as stagefile plan shows it",
		applies: func(_ string, img *image.Image) bool {
			return slices.ContainsFunc(img.Config.Config.Env, func(e string) bool { return strings.HasPrefix(e, "PATH=/app/.venv/bin:") })
		},
	},
	// not compared at all, for every example:
	// - layers and history: the Stagefile's release is one merge of independent layers (MergeOp), the Dockerfile's a
	//   COPY --link per layer plus WORKDIR steps (empty layers);
	// - file times and the config's creation time: the two builds run at different times, neither with SOURCE_DATE_EPOCH;
	// - labels and the rest of the config: the Dockerfile frontend writes its own history and build-info.
}

// stagefileBin builds the CLI once per test.
func stagefileBin(t *testing.T) string {
	t.Helper()
	cliBin.once.Do(func() {
		cliBin.path = filepath.Join(sharedRoot, "stagefile")
		cliBin.out, cliBin.err = run(t, repoRoot(t), nil, "go", "build", "-o", cliBin.path, "./cmd/stagefile")
	})
	assert.NilError(t, cliBin.err, cliBin.out)
	return cliBin.path
}

// cliBin is the stagefile CLI, built once for every test that runs it.
var cliBin struct {
	once      sync.Once
	path, out string
	err       error
}

// eject writes the Dockerfile of dir's Stagefile file into a folder of its
// own and returns it, with eject's notes. The "# syntax=" line is left
// out: it names docker/dockerfile:1, which this offline registry does not
// hold, and the stock frontend built into the daemon (BuildKit v0.34, as
// in go.mod) reads everything the file uses (COPY --parents, --exclude).
func eject(t *testing.T, bin, dir, file string) (string, string) {
	t.Helper()
	cmd := exec.Command(bin, "eject", filepath.Join(dir, file))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	assert.NilError(t, cmd.Run(), stderr.String())
	df := stdout.String()
	assert.Assert(t, strings.HasPrefix(df, "# syntax=docker/dockerfile:1\n"))
	out := t.TempDir()
	writeFile(t, filepath.Join(out, "Dockerfile"), strings.TrimPrefix(df, "# syntax=docker/dockerfile:1\n"))
	t.Logf("eject said:\n%s", stderr.String())
	return out, stderr.String()
}

// buildctlDockerfile builds with the daemon's own Dockerfile frontend:
// the context dir, the Dockerfile in dfDir.
func buildctlDockerfile(t *testing.T, dir, dfDir string, args ...string) (string, error) {
	t.Helper()
	base := []string{"--addr", env.buildkit, "build", "--frontend", "dockerfile.v0",
		"--local", "context=" + dir, "--local", "dockerfile=" + dfDir}
	return run(t, dir, nil, "buildctl", append(base, args...)...)
}

// treeEntry is what the comparison reads of a file.
type treeEntry struct {
	Type     byte
	Mode     int64
	UID, GID int
	Size     int64
	Link     string
}

func tree(files map[string]*image.File) map[string]treeEntry {
	out := map[string]treeEntry{}
	for p, f := range files {
		h := f.Header
		e := treeEntry{Type: h.Typeflag, Mode: h.Mode & 0o7777, UID: h.Uid, GID: h.Gid, Size: h.Size, Link: h.Linkname}
		if h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeRegA {
			e.Type = tar.TypeReg
		}
		out[p] = e
	}
	return out
}

// configOf is the compared part of an image config.
type configOf struct {
	Env         []string
	User        string
	WorkingDir  string
	Entrypoint  []string
	Cmd         []string
	Ports       []string
	Healthcheck *dockerspec.HealthcheckConfig
	StopSignal  string
}

func config(img *image.Image) configOf {
	c := img.Config.Config
	return configOf{Env: c.Env, User: c.User, WorkingDir: c.WorkingDir, Entrypoint: c.Entrypoint, Cmd: c.Cmd,
		Ports: slices.Sorted(maps.Keys(c.ExposedPorts)), Healthcheck: c.Healthcheck, StopSignal: c.StopSignal}
}

// TestEjectedReleaseIsTheSame: for each example, the release built from
// the Stagefile and the one built by the stock Dockerfile frontend from
// the ejected Dockerfile hold the same files (paths, types, modes,
// owners, sizes, link targets) and the same config, but for the allowed
// differences.
func TestEjectedReleaseIsTheSame(t *testing.T) {
	t.Parallel()
	bin := stagefileBin(t)
	var mu sync.Mutex
	used := map[string][]string{}
	// the group returns when every example's parallel subtest has
	t.Run("examples", func(t *testing.T) {
		for _, ex := range ejectExamples {
			t.Run(ex.name+"/"+path.Dir(ex.file), func(t *testing.T) {
				t.Parallel()
				dir := example(t, ex.name)
				dfDir, notes := eject(t, bin, dir, ex.file)

				ref := uniqueRef(t, "eject-stagefile-"+ex.name)
				out, err := buildctl(t, dir, "--progress=plain", "--opt", "filename="+ex.file, "--output", pushOutput(ref))
				assert.NilError(t, err, tail(out, 20))
				ejectedRef := uniqueRef(t, "eject-dockerfile-"+ex.name)
				out, err = buildctlDockerfile(t, dir, dfDir, "--progress=plain", "--output", pushOutput(ejectedRef))
				assert.NilError(t, err, tail(out, 30))

				want, got := pullImage(t, ref), pullImage(t, ejectedRef)
				allowed := map[string]bool{}
				for _, a := range allowedDifferences {
					if a.applies(notes, want) {
						allowed[a.what] = true
					}
				}

				// the file trees
				wantTree, gotTree := tree(filesOf(t, want)), tree(filesOf(t, got))
				var diffs []string
				for _, p := range slices.Sorted(maps.Keys(wantTree)) {
					g, ok := gotTree[p]
					switch {
					case !ok:
						diffs = append(diffs, "only in the Stagefile's release: "+p)
					case g != wantTree[p]:
						diffs = append(diffs, fmt.Sprintf("%s: %+v in the Stagefile's release, %+v in the ejected one", p, wantTree[p], g))
					}
				}
				for _, p := range slices.Sorted(maps.Keys(gotTree)) {
					if _, ok := wantTree[p]; !ok {
						diffs = append(diffs, "only in the ejected release: "+p)
					}
				}
				assert.Check(t, is.Len(diffs, 0), "the file trees differ:\n  %s", strings.Join(first(diffs, 40), "\n  "))

				// the configs
				wc, gc := config(want), config(got)
				if allowed["config user"] && wc.User != gc.User {
					t.Logf("allowed: config user %q, ejected %q", wc.User, gc.User)
					mu.Lock()
					used["config user"] = append(used["config user"], ex.name)
					mu.Unlock()
					gc.User = wc.User
				}
				if allowed["config env PATH"] {
					pathOf := func(env []string) string {
						for _, e := range env {
							if v, ok := strings.CutPrefix(e, "PATH="); ok {
								return v
							}
						}
						return ""
					}
					if pathOf(wc.Env) != pathOf(gc.Env) {
						t.Logf("allowed: config env PATH %q, ejected %q", pathOf(wc.Env), pathOf(gc.Env))
						mu.Lock()
						used["config env PATH"] = append(used["config env PATH"], ex.name)
						mu.Unlock()
						gc.Env = slices.Clone(gc.Env)
						for i, e := range gc.Env {
							if strings.HasPrefix(e, "PATH=") {
								gc.Env[i] = "PATH=" + pathOf(wc.Env)
							}
						}
					}
				}
				assert.Check(t, is.DeepEqual(gc, wc))
				t.Logf("%d files, the same in both releases", len(wantTree))
			})
		}
	})
	for _, a := range allowedDifferences {
		t.Logf("allowed difference %q, seen in %v: %s", a.what, used[a.what], a.why)
	}
}

// TestEjectedFailingTestFailsRelease: the ejected Dockerfile's release
// requires the tests: a failing test fails it.
func TestEjectedFailingTestFailsRelease(t *testing.T) {
	t.Parallel()
	bin := stagefileBin(t)
	dir := example(t, "failing-test")
	dfDir, _ := eject(t, bin, dir, "Stagefile")
	for _, target := range []string{"release", "build"} {
		out, err := buildctlDockerfile(t, dir, dfDir, "--progress=plain", "--opt", "target="+target)
		assert.Assert(t, err != nil, "--target %s built though a test fails:\n%s", target, tail(out, 20))
		assert.Check(t, is.Contains(out, "not ok 1 - greet ends the sentence"), "the failing test's output")
	}
	// the tests' own target fails too, and test-reports is what it is
	out, err := buildctlDockerfile(t, dir, dfDir, "--progress=plain", "--opt", "target=test")
	assert.Check(t, err != nil, tail(out, 20))
}

// TestEjectedSourceEditKeepsInstalls: after a source edit, the ejected
// Dockerfile's manifests copy and installs are cache hits, and the tests
// run again.
func TestEjectedSourceEditKeepsInstalls(t *testing.T) {
	t.Parallel()
	bin := stagefileBin(t)
	dir := example(t, "node-yarn")
	dfDir, _ := eject(t, bin, dir, "Stagefile")
	out, err := buildctlDockerfile(t, dir, dfDir, "--progress=rawjson")
	assert.NilError(t, err, tail(out, 20))

	appendFile(t, filepath.Join(dir, "src", "app.js"), fmt.Sprintf("\n// edited %d\n", time.Now().UnixNano()))
	out, err = buildctlDockerfile(t, dir, dfDir, "--progress=rawjson")
	p := parseProgress(t, out)
	t.Logf("after a source edit:\n%s", p.summary())
	assert.NilError(t, err, tail(out, 20))
	step := func(substr string) (cached, found bool) {
		for _, d := range p.order {
			if v := p.vertices[d]; strings.Contains(v.Name, substr) {
				return v.Cached, true
			}
		}
		return false, false
	}
	for _, s := range []string{`COPY --parents [package.json, yarn.lock, /app/]`,
		"yarn install --frozen-lockfile --production --non-interactive", `"yarn install --frozen-lockfile --non-interactive"`} {
		cached, found := step(s)
		assert.Check(t, found, "no step %q in the build", s)
		assert.Check(t, cached, "%q ran again after a source edit", s)
	}
	cached, found := step("yarn run test")
	assert.Check(t, found && !cached, "the tests did not run on the edited source")
}
