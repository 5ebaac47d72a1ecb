package llb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	"gotest.tools/v3/golden"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

var linuxAMD64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

func parse(t testing.TB, file string) *plan.Plan {
	t.Helper()
	dt, err := os.ReadFile(filepath.Join("testdata", file))
	assert.NilError(t, err)
	return resolve(t, string(dt))
}

// resolve is the plan of a Stagefile without a preset.
func resolve(t testing.TB, src string) *plan.Plan {
	t.Helper()
	s, err := spec.Parse("Stagefile", []byte(src))
	assert.NilError(t, err)
	p, _, err := plan.Resolver{}.Resolve(s)
	assert.NilError(t, err)
	return p
}

// localContext is the frontend's shape of context: a local source, filtered
// at transfer.
func localContext(include, exclude []string) (bk.State, error) {
	var opts []bk.LocalOption
	if include != nil {
		opts = append(opts, bk.IncludePatterns(include), bk.SharedKeyHint("context:"+strings.Join(include, ",")))
	}
	if exclude != nil {
		opts = append(opts, bk.ExcludePatterns(exclude))
	}
	return bk.Local("context", opts...), nil
}

// filesContext builds the context from file contents, so a content change
// shows in the digest of every vertex that reads the file.
func filesContext(files map[string]string) ContextFunc {
	return func(include, exclude []string) (bk.State, error) {
		names := make([]string, 0, len(files))
		for name := range files {
			if include == nil || matchAny(include, name) {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		st := bk.Scratch()
		for _, name := range names {
			st = st.File(bk.Mkdir(path.Dir("/"+name), 0o755, bk.WithParents(true)).
				Mkfile("/"+name, 0o644, []byte(files[name])))
		}
		return st, nil
	}
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// ungated leaves the tests out of the targets but test, so tests can
// look at each step's own vertices.
func ungated(opt Options) Options {
	opt.SkipTests = true
	return opt
}

func options(p *plan.Plan, ctx ContextFunc) Options {
	return Options{
		Platform: linuxAMD64,
		Images: map[string]Image{
			p.Image.Value:         {State: bk.Image(p.Image.Value, bk.Platform(linuxAMD64))},
			p.Release.Image.Value: {State: bk.Image(p.Release.Image.Value, bk.Platform(linuxAMD64))},
		},
		Context:   ctx,
		SourceMap: bk.NewSourceMap(nil, "Stagefile", "yaml", nil),
		CacheNS:   "ns",
	}
}

func marshal(t testing.TB, st bk.State) *bk.Definition {
	t.Helper()
	// a local source without a session gets a random id per marshal; the
	// frontend always has a session, here the id is pinned
	def, err := st.Marshal(context.Background(), bk.Platform(linuxAMD64), bk.LocalUniqueID("stagefile"))
	assert.NilError(t, err)
	return def
}

// TestGolden pins the graph of each target for a few Stagefiles, with and
// without the daemon features the graph can use, as a compact op listing.
func TestGolden(t *testing.T) {
	cases := []struct {
		file string
		caps *Caps
		name string
	}{
		{"yarn.yaml", nil, "yarn"},
		{"yarn.yaml", &Caps{}, "yarn-old-daemon"},
		{"npm-secrets.yaml", nil, "npm-secrets"},
		{"minimal.yaml", nil, "minimal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := parse(t, tc.file)
			opt := options(s, localContext)
			opt.Caps = tc.caps
			g, err := Convert(s, opt)
			assert.NilError(t, err)
			var out strings.Builder
			for _, target := range Targets {
				tg := g.Targets[target.Name]
				fmt.Fprintf(&out, "=== target %s\n", target.Name)
				out.WriteString(describe(t, marshal(t, tg.State)))
				cfg, err := json.MarshalIndent(tg.Image, "", "  ")
				assert.NilError(t, err)
				fmt.Fprintf(&out, "--- image config\n%s\n", cfg)
			}
			golden.Assert(t, out.String(), tc.name+".ops")
		})
	}
}

// TestDeterministic: the same spec marshals to the same bytes every time,
// though it holds maps (env, labels) that Go iterates in random order.
func TestDeterministic(t *testing.T) {
	s := parse(t, "yarn.yaml")
	first := map[string][]byte{}
	for i := range 20 {
		g, err := Convert(s, options(s, localContext))
		assert.NilError(t, err)
		for name, tg := range g.Targets {
			// the ops' bytes (hence digests), their metadata and the image
			// config; Definition's own protobuf encoding orders maps randomly
			def := marshal(t, tg.State).ToPB()
			dt := bytes.Join(def.Def, nil)
			md, err := json.Marshal(def.Metadata)
			assert.NilError(t, err)
			cfg, err := json.Marshal(tg.Image)
			assert.NilError(t, err)
			dt = append(append(dt, md...), cfg...)
			if i == 0 {
				first[name] = dt
				continue
			}
			assert.Assert(t, bytes.Equal(first[name], dt), "target %s differs on run %d", name, i)
		}
	}
}

// vertices returns the digests of every op st depends on, and its own.
func vertices(t testing.TB, st bk.State) map[digest.Digest]string {
	t.Helper()
	def := marshal(t, st).ToPB()
	out := map[digest.Digest]string{}
	for _, dt := range def.Def {
		dgst := digest.FromBytes(dt)
		out[dgst] = def.Metadata[dgst.String()].Description["llb.customname"]
	}
	return out
}

func head(t testing.TB, st bk.State) digest.Digest {
	t.Helper()
	def := marshal(t, st).ToPB()
	// the last op is the terminal one pointing at the head vertex
	var op pb.Op
	assert.NilError(t, op.UnmarshalVT(def.Def[len(def.Def)-1]))
	return digest.Digest(op.Inputs[0].Digest)
}

// TestSourceEditKeepsDependencies: editing a source file changes no vertex
// of the dependency installs, nor the release's dependency layer, while it
// does change what test and build run on.
func TestSourceEditKeepsDependencies(t *testing.T) {
	s := parse(t, "yarn.yaml")
	files := map[string]string{
		"package.json": `{"name":"app"}`,
		"yarn.lock":    "# yarn lockfile v1\n",
		"src/app.js":   "export const v = 1\n",
	}
	before, err := Convert(s, ungated(options(s, filesContext(files))))
	assert.NilError(t, err)
	files["src/app.js"] = "export const v = 2\n"
	after, err := Convert(s, ungated(options(s, filesContext(files))))
	assert.NilError(t, err)

	assert.Check(t, is.DeepEqual(vertices(t, before.Targets[TargetDependencies].State), vertices(t, after.Targets[TargetDependencies].State)))
	assert.Check(t, head(t, before.Targets[TargetDevelopment].State) != head(t, after.Targets[TargetDevelopment].State),
		"the source edit must reach the development tree, or this test proves nothing")

	// the release's production-dependency layer is the same vertex
	layer := func(g *Graph) digest.Digest {
		for dgst, name := range vertices(t, g.Targets[TargetRelease].State) {
			if name == "[release] production dependencies" {
				return dgst
			}
		}
		t.Fatal("no production dependency layer in the release")
		return ""
	}
	assert.Check(t, is.Equal(layer(before), layer(after)))

	// and a manifest edit does change the installs
	files["yarn.lock"] = "# yarn lockfile v1\n# changed\n"
	bumped, err := Convert(s, ungated(options(s, filesContext(files))))
	assert.NilError(t, err)
	assert.Check(t, head(t, before.Targets[TargetDependencies].State) != head(t, bumped.Targets[TargetDependencies].State))
}

// TestTestAndBuildIndependent: neither step depends on the other, so
// BuildKit runs them in parallel (the build target waits for both).
func TestTestAndBuildIndependent(t *testing.T) {
	s := parse(t, "yarn.yaml")
	g, err := Convert(s, options(s, localContext))
	assert.NilError(t, err)
	testHead := head(t, *g.Tests)
	buildHead := head(t, g.Built)
	assert.Assert(t, testHead != buildHead)
	_, buildNeedsTest := vertices(t, g.Built)[testHead]
	_, testNeedsBuild := vertices(t, *g.Tests)[buildHead]
	assert.Check(t, !buildNeedsTest, "build depends on the test step")
	assert.Check(t, !testNeedsBuild, "test depends on the build step")
	// both start from the same tree
	own, err := Convert(s, ungated(options(s, localContext)))
	assert.NilError(t, err)
	dev := head(t, own.Targets[TargetDevelopment].State)
	assert.Check(t, is.Contains(vertices(t, *g.Tests), dev))
	assert.Check(t, is.Contains(vertices(t, g.Built), dev))
}

// TestProductionInstallRunsOnce: the development install builds on the
// production one, which appears once in the graph.
func TestProductionInstallRunsOnce(t *testing.T) {
	s := parse(t, "yarn.yaml")
	g, err := Convert(s, ungated(options(s, localContext)))
	assert.NilError(t, err)
	count := 0
	for _, name := range vertices(t, g.Targets[TargetRelease].State) {
		if strings.HasPrefix(name, "[dependencies] yarn install") {
			count++
		}
	}
	assert.Check(t, is.Equal(count, 1))
	assert.Check(t, is.Contains(vertices(t, g.Targets[TargetDevelopment].State), head(t, g.Targets[TargetDependencies].State)))
}

func TestReleaseConfig(t *testing.T) {
	s := parse(t, "yarn.yaml")
	opt := options(s, localContext)
	base := &Image{State: opt.Images[s.Image.Value].State}
	base.Config = baseImageConfig()
	opt.Images[s.Image.Value] = *base
	opt.Labels = map[string]string{"from.cli": "yes"}
	g, err := Convert(s, opt)
	assert.NilError(t, err)
	img := g.Targets[TargetRelease].Image
	assert.Check(t, is.DeepEqual(img.Config.Env, []string{"PATH=/usr/local/bin:/usr/bin:/bin", "NODE_VERSION=20", "NODE_ENV=production", "PORT=8080"}))
	assert.Check(t, is.DeepEqual(img.Config.Entrypoint, []string{"node"}))
	assert.Check(t, is.DeepEqual(img.Config.Cmd, []string{"build/server.js"}))
	assert.Check(t, is.Equal(img.Config.User, "node"))
	assert.Check(t, is.Equal(img.Config.WorkingDir, "/app"))
	assert.Check(t, is.Contains(img.Config.ExposedPorts, "8080/tcp"))
	assert.Check(t, is.Equal(img.Config.Labels["org.opencontainers.image.title"], "example"))
	assert.Check(t, is.Equal(img.Config.Labels["base.label"], "kept"))
	assert.Check(t, is.Equal(img.Config.Labels["from.cli"], "yes"))
	assert.Check(t, is.Len(img.History, 3), "base history + two release layers")
	// the base image's config is not modified
	assert.Check(t, is.DeepEqual(base.Config.Config.Cmd, []string{"node"}))
	// build targets keep the build env, not the release's
	dev := g.Targets[TargetDevelopment].Image
	assert.Check(t, is.DeepEqual(dev.Config.Env, []string{"PATH=/usr/local/bin:/usr/bin:/bin", "NODE_VERSION=20", "CI=true", "TZ=UTC"}))
}

func TestCmdWithoutEntrypointKeepsBaseEntrypoint(t *testing.T) {
	s := resolve(t, "version: 1\nimage: node:20\nrelease:\n  cmd: [server.js]\n")
	opt := options(s, localContext)
	opt.Images[s.Image.Value] = Image{State: opt.Images[s.Image.Value].State, Config: baseImageConfig()}
	g, err := Convert(s, opt)
	assert.NilError(t, err)
	img := g.Targets[TargetRelease].Image
	assert.Check(t, is.DeepEqual(img.Config.Entrypoint, []string{"docker-entrypoint.sh"}))
	assert.Check(t, is.DeepEqual(img.Config.Cmd, []string{"server.js"}))
}

func baseImageConfig() *dockerspec.DockerOCIImage {
	img := &dockerspec.DockerOCIImage{}
	img.Platform = linuxAMD64
	img.Config.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "NODE_VERSION=20"}
	img.Config.Entrypoint = []string{"docker-entrypoint.sh"}
	img.Config.Cmd = []string{"node"}
	img.Config.Labels = map[string]string{"base.label": "kept"}
	img.History = []ocispecs.History{{CreatedBy: "base"}}
	return img
}

// TestEmptyEntrypointClears: "entrypoint: []" removes the base's
// entrypoint (and, as any entrypoint does, its cmd), as documented.
func TestEmptyEntrypointClears(t *testing.T) {
	s := resolve(t, "version: 1\nimage: node:20\nrelease:\n  entrypoint: []\n  cmd: [node, server.js]\n")
	opt := options(s, localContext)
	opt.Images[s.Image.Value] = Image{State: opt.Images[s.Image.Value].State, Config: baseImageConfig()}
	g, err := Convert(s, opt)
	assert.NilError(t, err)
	img := g.Targets[TargetRelease].Image
	assert.Check(t, is.Len(img.Config.Entrypoint, 0))
	assert.Check(t, is.DeepEqual(img.Config.Cmd, []string{"node", "server.js"}))
}

// TestTestsGateEveryTarget: every target requires the test step in the
// graph itself, on every daemon, so whoever solves the LLB (stagefile llb
// | buildctl build included) gets the gate: a passthrough op, or on a
// daemon without them a step that does nothing on the tested tree with
// the target mounted.
func TestTestsGateEveryTarget(t *testing.T) {
	s := parse(t, "yarn.yaml")
	for _, caps := range []*Caps{nil, {Merge: true, CopyPatterns: true, RequiredPaths: true}, {}} {
		opt := options(s, localContext)
		opt.Caps = caps
		g, err := Convert(s, opt)
		assert.NilError(t, err)
		testStep := head(t, *g.Tests)
		for _, target := range Targets {
			_, gated := vertices(t, g.Targets[target.Name].State)[testStep]
			assert.Check(t, gated, "%+v: target %s does not require the tests", caps, target.Name)
		}
		release := describe(t, marshal(t, g.Targets[TargetRelease].State))
		if caps == nil {
			// the release's own layers still do not wait for the tests:
			// the passthrough reads them side by side
			assert.Check(t, is.Contains(release, `passthrough "stagefile.tests-passed" outputs=[0]`))
			continue
		}
		assert.Check(t, !strings.Contains(release, "passthrough"), "a daemon without passthrough ops got one")
		assert.Check(t, is.Contains(release, "[test] tests passed: release"))
	}

	// skipped tests leave no gate and no test step
	opt := options(s, localContext)
	opt.SkipTests = true
	g, err := Convert(s, opt)
	assert.NilError(t, err)
	assert.Check(t, g.Tests == nil)
	for _, name := range vertices(t, g.Targets[TargetRelease].State) {
		assert.Check(t, !strings.HasPrefix(name, "[test]"), "the test step is in a target though tests are skipped")
	}
}

// TestEpoch: SOURCE_DATE_EPOCH is the release config's creation time and
// its history's.
func TestEpoch(t *testing.T) {
	s := parse(t, "yarn.yaml")
	opt := options(s, localContext)
	epoch := time.Unix(1700000000, 0).UTC()
	opt.Epoch = &epoch
	g, err := Convert(s, opt)
	assert.NilError(t, err)
	img := g.Targets[TargetRelease].Image
	assert.Check(t, is.Equal(img.Created.Unix(), epoch.Unix()))
	for _, h := range img.History {
		assert.Check(t, h.Created != nil && h.Created.Equal(epoch), "history %q", h.CreatedBy)
	}
}

// TestVertexNamesAreClean: control characters in a command (ANSI escapes
// that would drive the user's terminal) never reach a vertex name.
func TestVertexNamesAreClean(t *testing.T) {
	s := resolve(t, "version: 1\nimage: node:20\ntest:\n  run: \"echo \\e[2J\\e]0;pwned\\a \\r done\"\n")
	g, err := Convert(s, options(s, localContext))
	assert.NilError(t, err)
	for _, name := range vertices(t, g.Targets[TargetTest].State) {
		for _, r := range name {
			assert.Check(t, r >= 0x20 && r != 0x7f, "control character %q in %q", r, name)
		}
	}
	assert.Check(t, is.Contains(vertices(t, g.Targets[TargetTest].State), head(t, g.Targets[TargetTest].State)))
}

// resolveArgs is the plan of src with the client's build args.
func resolveArgs(t testing.TB, src string, args map[string]string) *plan.Plan {
	t.Helper()
	s, err := spec.Parse("Stagefile", []byte(src))
	assert.NilError(t, err)
	p, _, err := plan.Resolver{BuildArgs: args}.Resolve(s)
	assert.NilError(t, err)
	return p
}

// TestArgsMoveOnlyTheirSteps: a build arg reaches the steps that mention
// it as an environment variable; changing it changes their cache keys and
// no other step's.
func TestArgsMoveOnlyTheirSteps(t *testing.T) {
	src := `version: 1
image: node:20
args:
  APP_VERSION: 0.0.0
dependencies:
  manifests: [package.json]
  production: npm ci --omit=dev
test:
  run: npm test
build:
  run: echo "$APP_VERSION" > dist/version && npm run build
  outputs: [dist]
release:
  labels: {org.opencontainers.image.version: "${APP_VERSION}", arch: "${TARGETARCH}"}
`
	names := func(v string) map[digest.Digest]string {
		p := resolveArgs(t, src, map[string]string{"APP_VERSION": v})
		g, err := Convert(p, ungated(options(p, localContext)))
		assert.NilError(t, err)
		out := vertices(t, g.Targets[TargetRelease].State)
		for d, n := range vertices(t, g.Targets[TargetTest].State) {
			out[d] = n
		}
		assert.Check(t, is.Equal(g.Targets[TargetRelease].Image.Config.Labels["org.opencontainers.image.version"], v))
		assert.Check(t, is.Equal(g.Targets[TargetRelease].Image.Config.Labels["arch"], "amd64"))
		return out
	}
	a, b := names("1.2.3"), names("1.2.4")
	changed := map[string]bool{}
	for d, n := range a {
		if _, ok := b[d]; !ok && n != "" {
			changed[n] = true
		}
	}
	assert.Check(t, is.DeepEqual(changed, map[string]bool{
		`[build] echo "$APP_VERSION" > dist/version && npm run build`: true,
		"[release] build outputs: dist":                               true,
		"[release] assemble image":                                    true,
	}))
	p := resolveArgs(t, src, map[string]string{"APP_VERSION": "1.2.3"})
	g, err := Convert(p, options(p, localContext))
	assert.NilError(t, err)
	assert.Check(t, is.Contains(describe(t, marshal(t, g.Targets[TargetBuild].State)), "env APP_VERSION=1.2.3"))
	assert.Check(t, !strings.Contains(describe(t, marshal(t, *g.Tests)), "APP_VERSION"), "the test step got an arg it does not read")
}

// TestReleaseRuntimeSettings: healthcheck, stop signal and writable
// folders reach the release.
func TestReleaseRuntimeSettings(t *testing.T) {
	p := resolve(t, `version: 1
image: node:20
build:
  outputs: [src]
release:
  user: node
  healthcheck:
    test: [node, healthcheck.js]
    interval: 5s
    timeout: 2s
    startPeriod: 1m
    retries: 4
  stopSignal: SIGINT
  writable: [uploads, /var/cache/app]
`)
	g, err := Convert(p, options(p, localContext))
	assert.NilError(t, err)
	cfg := g.Targets[TargetRelease].Image.Config
	assert.Assert(t, cfg.Healthcheck != nil)
	assert.Check(t, is.DeepEqual(cfg.Healthcheck.Test, []string{"CMD", "node", "healthcheck.js"}))
	assert.Check(t, is.Equal(cfg.Healthcheck.Interval, 5*time.Second))
	assert.Check(t, is.Equal(cfg.Healthcheck.Timeout, 2*time.Second))
	assert.Check(t, is.Equal(cfg.Healthcheck.StartPeriod, time.Minute))
	assert.Check(t, is.Equal(cfg.Healthcheck.Retries, 4))
	assert.Check(t, is.Equal(cfg.StopSignal, "SIGINT"))
	ops := describe(t, marshal(t, g.Targets[TargetRelease].State))
	assert.Check(t, is.Contains(ops, `"[release] writable: uploads /var/cache/app"`))
	assert.Check(t, is.Contains(ops, "mkdir /app/uploads"))
	assert.Check(t, is.Contains(ops, "mkdir /var/cache/app"))
}

// platformsOf maps each named exec or file op of st to its platform.
func platformsOf(t testing.TB, st bk.State) map[string]string {
	t.Helper()
	def := marshal(t, st).ToPB()
	out := map[string]string{}
	for _, dt := range def.Def {
		var op pb.Op
		assert.NilError(t, op.UnmarshalVT(dt))
		name := def.Metadata[digest.FromBytes(dt).String()].GetDescription()["llb.customname"]
		if name != "" && op.Platform != nil {
			out[name] = op.Platform.OS + "/" + op.Platform.Architecture
		}
	}
	return out
}

var linuxARM64 = ocispecs.Platform{OS: "linux", Architecture: "arm64"}

// build is a two-platform build of p on linux/amd64, its images resolved.
func build(p *plan.Plan, targets ...ocispecs.Platform) (Build, map[ImageKey]Image) {
	b := Build{Plan: p, Platforms: targets, BuildPlatform: linuxAMD64, Options: options(p, localContext)}
	images := map[ImageKey]Image{}
	for _, k := range b.Images() {
		pl, _ := platforms.Parse(k.Platform)
		images[k] = Image{State: bk.Image(k.Ref, bk.Platform(pl))}
	}
	return b, images
}

// TestCrossInstall: for a platform other than the build platform, the
// installs run natively with the package manager told the target, and
// the target's steps start from its own image with that workdir.
func TestCrossInstall(t *testing.T) {
	s := parse(t, "yarn.yaml")
	s.Dependencies.Cross = &plan.CrossInstall{Env: map[string][]plan.Var{"arm64": {{Name: "npm_config_cpu", Value: "arm64"}}}, Why: "no install scripts"}
	b, images := build(s, linuxAMD64, linuxARM64)
	_, check, err := b.CrossCheck(images)
	assert.NilError(t, err)
	assert.Check(t, !check, "the preset decided: nothing to check at build time")
	graphs, err := b.Convert(images, "")
	assert.NilError(t, err)
	g := graphs["linux/arm64"]
	where := platformsOf(t, g.Targets[TargetRelease].State)
	assert.Check(t, is.Equal(where["[dependencies linux/arm64 on linux/amd64] yarn install --frozen-lockfile --production"], "linux/amd64"), "%v", where)
	assert.Check(t, is.Equal(where["[development linux/arm64 on linux/amd64] yarn install --frozen-lockfile"], "linux/amd64"), "%v", where)
	assert.Check(t, is.Equal(where["[test linux/arm64] yarn run test"], "linux/arm64"), "%v", where)
	names := map[string]bool{}
	for _, n := range vertices(t, g.Targets[TargetRelease].State) {
		names[n] = true
	}
	assert.Check(t, names["[development linux/arm64] workdir as the install on linux/amd64 left it (no install scripts)"], "%v", names)
	ops := describe(t, marshal(t, g.Targets[TargetDependencies].State))
	assert.Check(t, is.Contains(ops, "env npm_config_cpu=arm64"))
	// the build platform's own graph installs as it always does
	where = platformsOf(t, graphs["linux/amd64"].Targets[TargetRelease].State)
	assert.Check(t, is.Equal(where["[dependencies linux/amd64] yarn install --frozen-lockfile --production"], "linux/amd64"), "%v", where)

	// tests once, on the build platform: the arm64 release requires them
	shared := resolve(t, strings.Replace(mustRead(t, "yarn.yaml"), "test:\n  run: yarn run test\n", "test:\n  run: yarn run test\n  platforms: build\n", 1))
	b, images = build(shared, linuxARM64)
	graphs, err = b.Convert(images, "")
	assert.NilError(t, err)
	where = platformsOf(t, graphs["linux/arm64"].Targets[TargetRelease].State)
	assert.Check(t, is.Equal(where["[test] yarn run test"], "linux/amd64"), "the release requires the build platform's tests: %v", where)
	_, own := where["[test linux/arm64] yarn run test"]
	assert.Check(t, !own, "the arm64 release ran its own tests too")
}

// TestCrossCheck: where the preset leaves the decision to build time, the
// check runs in the build platform's development install, and its
// verdict decides: the installs run natively for every platform, or
// emulated on each, saying why.
func TestCrossCheck(t *testing.T) {
	s := parse(t, "yarn.yaml")
	s.Dependencies.Cross = &plan.CrossInstall{Env: map[string][]plan.Var{"arm64": nil}, Check: []string{"node", "-e", "check()"},
		Why: "no package runs an install script"}
	b, images := build(s, linuxAMD64, linuxARM64)
	st, check, err := b.CrossCheck(images)
	assert.NilError(t, err)
	assert.Assert(t, check)
	ops := describe(t, marshal(t, st))
	assert.Check(t, is.Contains(ops, "/stagefile/check/reasons"))
	assert.Check(t, is.Contains(platformsOf(t, st), "[development linux/amd64] yarn install --frozen-lockfile"))

	for _, tc := range []struct {
		verdict, want string
	}{
		{"", "[dependencies linux/arm64 on linux/amd64] yarn install --frozen-lockfile --production"},
		{CrossVerdict([]byte("esbuild runs an install script\nsharp is for x64\n")), "[dependencies linux/arm64, emulated: esbuild runs an install script, and 1 more] yarn install --frozen-lockfile --production"},
	} {
		graphs, err := b.Convert(images, tc.verdict)
		assert.NilError(t, err)
		_, ok := platformsOf(t, graphs["linux/arm64"].Targets[TargetRelease].State)[tc.want]
		assert.Check(t, ok, "verdict %q: no step %q in %v", tc.verdict, tc.want, platformsOf(t, graphs["linux/arm64"].Targets[TargetRelease].State))
	}

	// a single-platform build, or one on the build platform alone, checks nothing
	for _, targets := range [][]ocispecs.Platform{{linuxAMD64}} {
		b, images := build(s, targets...)
		_, check, err := b.CrossCheck(images)
		assert.NilError(t, err)
		assert.Check(t, !check)
	}
	b, images = build(s, linuxARM64)
	_, check, err = b.CrossCheck(images)
	assert.NilError(t, err)
	assert.Check(t, check, "arm64 alone, built on amd64: the check decides")
}

// TestBuildImages: the images a build needs: each target platform's, and
// the build platform's where a platform takes steps from it.
func TestBuildImages(t *testing.T) {
	s := parse(t, "yarn.yaml")
	s.Release.Image.Value = "gcr.io/distroless/nodejs20-debian12"
	b, _ := build(s, linuxAMD64)
	assert.Check(t, is.DeepEqual(b.Images(), []ImageKey{{s.Image.Value, "linux/amd64"}, {s.Release.Image.Value, "linux/amd64"}}))
	b, _ = build(s, linuxARM64)
	assert.Check(t, is.DeepEqual(b.Images(), []ImageKey{{s.Image.Value, "linux/arm64"}, {s.Release.Image.Value, "linux/arm64"}}),
		"nothing taken from the build platform: emulated everything")
	s.Dependencies.Cross = &plan.CrossInstall{Env: map[string][]plan.Var{"arm64": nil}}
	b, _ = build(s, linuxARM64)
	assert.Check(t, is.DeepEqual(b.Images(), []ImageKey{{s.Image.Value, "linux/arm64"}, {s.Release.Image.Value, "linux/arm64"},
		{s.Image.Value, "linux/amd64"}, {s.Release.Image.Value, "linux/amd64"}}))
	_, err := b.Convert(map[ImageKey]Image{}, "")
	assert.Check(t, is.ErrorContains(err, "was not resolved for linux/"))
}

func mustRead(t testing.TB, file string) string {
	t.Helper()
	dt, err := os.ReadFile(filepath.Join("testdata", file))
	assert.NilError(t, err)
	return string(dt)
}

// TestToolsSurviveLockfileChanges: the step that installs the package
// manager runs before the manifests are copied, so a lockfile change
// keeps it, and the installs and tests run on its result.
func TestToolsSurviveLockfileChanges(t *testing.T) {
	s := parse(t, "yarn.yaml")
	s.Dependencies.Tools = plan.Argv(plan.Origin{}, []string{"corepack", "enable"})
	files := map[string]string{"package.json": `{"name":"app"}`, "yarn.lock": "# yarn lockfile v1\n"}
	tools := func() digest.Digest {
		g, err := Convert(s, ungated(options(s, filesContext(files))))
		assert.NilError(t, err)
		for dgst, name := range vertices(t, g.Targets[TargetTest].State) {
			if name == "[tools] corepack enable" {
				return dgst
			}
		}
		t.Fatalf("no tools step under the tests: %v", vertices(t, g.Targets[TargetTest].State))
		return ""
	}
	before := tools()
	files["yarn.lock"] = "# yarn lockfile v1\n# bumped\n"
	assert.Check(t, is.Equal(tools(), before))
}

// TestPatternOutputsKeepTheirNames: the release copies a pattern's matches
// as they are (a matched folder stays a folder), a named folder's contents
// into the folder of that name.
func TestPatternOutputsKeepTheirNames(t *testing.T) {
	s := resolve(t, "version: 1\nimage: node:20\nbuild:\n  run: make\n  outputs: [dist, \"out/*\"]\n")
	g, err := Convert(s, options(s, localContext))
	assert.NilError(t, err)
	copies := map[string]bool{}
	for _, dt := range marshal(t, g.Targets[TargetRelease].State).Def {
		var op pb.Op
		assert.NilError(t, op.UnmarshalVT(dt))
		for _, a := range op.GetFile().GetActions() {
			if c := a.GetCopy(); c != nil && (c.Src == "/app/dist" || c.Src == "/app/out/*") {
				copies[c.Src+" → "+c.Dest] = c.DirCopyContents
			}
		}
	}
	assert.Check(t, is.DeepEqual(copies, map[string]bool{"/app/dist → /app/dist": true, "/app/out/* → /app/out/": false}))
}

// TestStartCheck: with the frontend's image given, the release target
// requires a step that starts the app in the release as the image would:
// its argv after the checker's flags, its user and working directory, its
// env plus check.env, no network; the check's own result ships nowhere.
func TestStartCheck(t *testing.T) {
	s := parse(t, "yarn.yaml")
	s.Release.Check = plan.StartCheck{Enabled: plan.Value[bool]{Value: true, Origin: plan.Origin{Kind: plan.Default}},
		Env: []plan.Var{{Name: "DATABASE_URL", Value: "postgres://check"}}, Wait: plan.Value[string]{Value: "5s"}}
	opt := options(s, localContext)
	checker := bk.Image("docker.io/stagefile/stagefile:1")
	opt.Checker = &checker
	g, err := Convert(s, opt)
	assert.NilError(t, err)
	ops := describe(t, marshal(t, g.Targets[TargetRelease].State))
	assert.Check(t, is.Contains(ops, `exec ["/.stagefile/stagefile" "check-release" "--wait" "5s" "--" "node" "build/server.js"] cwd=/app user=node network=none`), ops)
	assert.Check(t, is.Contains(ops, "env DATABASE_URL=postgres://check"))
	assert.Check(t, is.Contains(ops, "env NODE_ENV=production"))
	assert.Check(t, is.Contains(ops, `passthrough "stagefile.release-started"`))
	// the other targets do not start the app
	for _, target := range []string{TargetBuild, TargetTest, TargetDependencies} {
		assert.Check(t, !strings.Contains(describe(t, marshal(t, g.Targets[target].State)), "check-release"), target)
	}
	// off, or no checker (the CLI's LLB): no step
	s.Release.Check.Enabled.Value = false
	g, err = Convert(s, opt)
	assert.NilError(t, err)
	assert.Check(t, !strings.Contains(describe(t, marshal(t, g.Targets[TargetRelease].State)), "check-release"))
	s.Release.Check.Enabled.Value = true
	g, err = Convert(s, options(s, localContext))
	assert.NilError(t, err)
	assert.Check(t, !strings.Contains(describe(t, marshal(t, g.Targets[TargetRelease].State)), "check-release"))
}

// TestSecretSteps: a secret is mounted for the steps it names (the
// installs by default), as a file or a variable of that step alone.
func TestSecretSteps(t *testing.T) {
	s := resolve(t, `version: 1
image: node:20
dependencies:
  manifests: [package.json]
  production: npm ci
secrets:
  - {id: npmrc, target: /root/.npmrc}
  - {id: django_key, env: SECRET_KEY, steps: [test]}
  - {id: sentry, env: SENTRY_AUTH_TOKEN, steps: [build, install]}
test:
  run: npm test
build:
  run: npm run build
  outputs: [dist]
`)
	g, err := Convert(s, options(s, localContext))
	assert.NilError(t, err)
	ops := describe(t, marshal(t, g.Targets[TargetRelease].State))
	step := func(name string) string {
		i := strings.Index(ops, name)
		assert.Assert(t, i >= 0, "no step %s in\n%s", name, ops)
		end := strings.Index(ops[i+1:], "\nv")
		return ops[i : i+1+end]
	}
	install, test, build := step(`"[dependencies] npm ci"`), step(`"[test] npm test"`), step(`"[build] npm run build"`)
	assert.Check(t, is.Contains(install, "mount /root/.npmrc secret npmrc"))
	assert.Check(t, is.Contains(install, "secret env SENTRY_AUTH_TOKEN ← sentry"))
	assert.Check(t, !strings.Contains(install, "django_key"))
	assert.Check(t, is.Contains(test, "secret env SECRET_KEY ← django_key"))
	assert.Check(t, !strings.Contains(test, "npmrc") && !strings.Contains(test, "sentry"), test)
	assert.Check(t, is.Contains(build, "secret env SENTRY_AUTH_TOKEN ← sentry"))
	assert.Check(t, !strings.Contains(build, "django_key"))
}
